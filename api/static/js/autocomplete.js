// A keyboard-first autocomplete for a text input: type, ArrowUp/ArrowDown, Enter (or Tab) to pick,
// Escape to close. The first match is pre-selected, so "type + Enter" picks it.

import { debounce, el } from "./common.js";

export class Autocomplete {
  // search(q) → Promise<items>; label(item) → Node|string; pick(item) runs on choice;
  // extra(q) → [{label, run}] rows appended below the matches (e.g. "create a new client").
  constructor(input, { search, label, pick, extra = () => [], minLength = 1, delay = 120 }) {
    Object.assign(this, { input, search, label, pick, extra, minLength });
    this.items = [];
    this.active = -1;
    this.sequence = 0;
    this.list = el("ul", { class: "ac-list", role: "listbox", hidden: true });
    document.body.append(this.list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.addEventListener("input", debounce(() => this.refresh(), delay));
    input.addEventListener("keydown", (event) => this.onKey(event));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  get isOpen() {
    return !this.list.hidden;
  }

  async refresh() {
    const query = this.input.value.trim();
    const mine = ++this.sequence;
    if (query.length < this.minLength) return this.close();
    let found = [];
    try {
      found = await this.search(query);
    } catch {
      found = [];
    }
    if (mine !== this.sequence || document.activeElement !== this.input) return; // a newer query won
    this.items = [...found.map((item) => ({ item })), ...this.extra(query)];
    this.active = this.items.length ? 0 : -1;
    this.render();
  }

  render() {
    this.list.replaceChildren(
      ...this.items.map((entry, i) =>
        el(
          "li",
          {
            role: "option",
            class: (i === this.active ? "active " : "") + (entry.run ? "extra" : ""),
            "aria-selected": String(i === this.active),
            onmousedown: (event) => {
              event.preventDefault();
              this.choose(i);
            },
          },
          entry.run ? entry.label : this.label(entry.item),
        ),
      ),
    );
    if (!this.items.length) return this.close();
    const box = this.input.getBoundingClientRect();
    Object.assign(this.list.style, {
      left: `${box.left + window.scrollX}px`,
      top: `${box.bottom + window.scrollY + 2}px`,
      minWidth: `${Math.max(box.width, 320)}px`,
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.list.children[this.active]?.scrollIntoView({ block: "nearest" });
  }

  // The list lives in <body> (so a table cell does not clip it): remove it with its input.
  destroy() {
    this.list.remove();
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
  }

  choose(index) {
    const entry = this.items[index];
    this.close();
    this.sequence++;
    if (!entry) return;
    if (entry.run) entry.run(this.input.value.trim());
    else this.pick(entry.item);
  }

  onKey(event) {
    if (!this.isOpen) {
      if (event.key === "ArrowDown" && this.input.value.trim()) {
        event.preventDefault();
        this.refresh();
      }
      return;
    }
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      event.preventDefault();
      this.active = (this.active + moves[event.key] + this.items.length) % this.items.length;
      this.render();
    } else if ((event.key === "Enter" && !event.ctrlKey) || (event.key === "Tab" && !event.shiftKey && this.active >= 0)) {
      // Enter or Tab takes the highlighted match; `pick` moves the focus on.
      event.preventDefault();
      event.stopImmediatePropagation();
      this.choose(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      this.close();
    }
  }
}
