// The deal's client: autocomplete by name or INN, or a new client created inline (name, INN,
// KPP) with the server's INN checksum refusal shown at the field. Choosing one loads its contacts.

import { Autocomplete } from "./autocomplete.js";
import { api, el, t } from "./common.js";

const $ = (id) => document.getElementById(id);

export class ClientField {
  // `client`: the one already on the card (editing), or null; `next`: where the focus goes after.
  constructor({ client, next }) {
    this.input = $("client");
    this.info = $("client-info");
    this.contact = $("contact");
    this.next = next;
    this.client = client;
    this.box = { panel: $("new-client"), name: $("nc-name"), inn: $("nc-inn"), kpp: $("nc-kpp"), error: $("nc-error") };
    new Autocomplete(this.input, {
      search: (q) => api("GET", `/api/counterparties?q=${encodeURIComponent(q)}`),
      label: (c) => el("span", {}, c.name, c.inn ? el("span", { class: "sub" }, ` · ${describe(c)}`) : null),
      pick: (c) => this.choose(c),
      extra: (q) => [{ label: t("js.new_client", { name: q }), run: (typed) => this.openNew(typed) }],
    });
    this.input.addEventListener("input", () => {
      this.client = null;
      this.info.textContent = "";
    });
    $("nc-create").addEventListener("click", () => this.create());
    $("nc-cancel").addEventListener("click", () => this.closeNew());
    this.box.panel.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.ctrlKey) {
        event.preventDefault();
        event.stopPropagation();
        this.create();
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.closeNew();
      }
    });
  }

  async choose(client) {
    this.client = client;
    this.input.value = client.name;
    this.input.classList.remove("invalid");
    this.info.textContent = client.inn ? describe(client) : "";
    this.next?.focus();
    await this.loadContacts(client.id, null);
  }

  async loadContacts(clientId, selected) {
    let contacts = [];
    try {
      contacts = (await api("GET", `/api/counterparties/${clientId}`)).contacts;
    } catch {
      contacts = [];
    }
    this.contact.replaceChildren(
      el("option", { value: "" }, "—"),
      ...contacts.map((c) => el("option", { value: String(c.id), selected: c.id === selected }, c.full_name + (c.position ? ` (${c.position})` : ""))),
    );
  }

  // --- a new client -----------------------------------------------------------------------

  openNew(typed) {
    const { panel, name, inn, error } = this.box;
    panel.hidden = false;
    error.hidden = true;
    const digits = /^\d{10,12}$/.test(typed);
    name.value = digits ? "" : typed;
    inn.value = digits ? typed : "";
    (digits ? name : inn).focus();
  }

  closeNew() {
    this.box.panel.hidden = true;
    this.input.focus();
  }

  async create() {
    const { panel, name, inn, kpp, error } = this.box;
    [name, inn, kpp].forEach((input) => input.classList.remove("invalid"));
    error.hidden = true;
    if (!name.value.trim()) return this.refuse(t("js.client_name_required"), name);
    try {
      const created = await api("POST", "/api/counterparties", {
        name: name.value.trim(),
        inn: inn.value.trim() || null,
        kpp: kpp.value.trim() || null,
      });
      panel.hidden = true;
      await this.choose(created);
    } catch (failure) {
      const field = { inn, kpp, name }[failure.details.field] || name;
      const d = failure.details;
      const existing = failure.code === "DuplicateInn" && d.existing_id && { id: d.existing_id, name: d.existing_name, inn: d.value };
      this.refuse(failure.message, field, existing);
    }
  }

  // The server's words (e.g. a wrong INN checksum) next to the field they are about; a
  // duplicate INN offers the client that already has it.
  refuse(message, field, existing) {
    const parts = [el("span", {}, message)];
    if (existing) {
      parts.push(" ", el("button", {
        type: "button", class: "btn small", text: t("js.use_existing", { name: existing.name }),
        onclick: () => {
          this.box.panel.hidden = true;
          this.choose(existing);
        },
      }));
    }
    this.box.error.replaceChildren(...parts);
    this.box.error.hidden = false;
    field.classList.add("invalid");
    field.focus();
    field.select?.();
  }
}

function describe(client) {
  return `${t("js.inn")} ${client.inn}${client.kpp ? " / " + client.kpp : ""}`;
}
