// The specification grid: one row per line (a product, or only a category), typed like a sheet.
// Tab walks the cells; Enter on a row's last cell goes to the next row (a new one at the end);
// ArrowUp/ArrowDown move within a column; Ctrl+Delete removes the row. Rows pasted from Excel
// go to the server's parser and come back as lines, or as the rows' errors (nothing changes).

import { Autocomplete } from "./autocomplete.js";
import { api, el, t } from "./common.js";
import { format, lineAmount, parseDecimal, plain, vatIncluded } from "./decimal.js";

const SCALE = { quantity: 3, price: 2, discount_percent: 2 };
const CELLS = ["item", "quantity", "unit_id", "price", "discount_percent"];

export class SpecGrid {
  constructor(table, { units, language, onChange = () => {}, status }) {
    Object.assign(this, { table, units, language, onChange, status });
    this.body = table.tBodies[0];
    this.rows = []; // {line, tr, cells: {name: input}, amountCell, tag}
    this.body.addEventListener("keydown", (event) => this.onKey(event));
    this.body.addEventListener("input", (event) => this.onInput(event));
    this.body.addEventListener("focusout", (event) => this.tidy(event.target));
    this.table.addEventListener("paste", (event) => this.onPaste(event));
  }

  // --- rows -------------------------------------------------------------------------------

  load(lines) {
    this.rows.forEach((row) => this.drop(row));
    this.rows = [];
    lines.forEach((line) => this.addRow(line));
    if (!this.rows.length) this.addRow();
    this.refresh();
  }

  addRow(line = {}, at = this.rows.length) {
    const row = { line: { product_id: null, category_id: null, name: "", code: "", unit_id: null, ...line } };
    const input = (name, attrs = {}) =>
      el("input", { type: "text", name, class: `cell ${name}`, autocomplete: "off", ...attrs });
    row.cells = {
      item: input("item", { value: row.line.name, placeholder: t("js.item_placeholder"), "aria-label": t("js.item") }),
      quantity: input("quantity", { inputmode: "decimal", value: show(row.line.quantity, 3, this.language), "aria-label": t("js.quantity") }),
      unit_id: el(
        "select",
        { name: "unit_id", class: "cell unit_id", "aria-label": t("js.unit") },
        el("option", { value: "" }, "—"),
        this.units.map((u) => el("option", { value: String(u.id), selected: u.id === row.line.unit_id }, u.name)),
      ),
      price: input("price", { inputmode: "decimal", value: show(row.line.price, 2, this.language), "aria-label": t("js.price") }),
      discount_percent: input("discount_percent", {
        inputmode: "decimal",
        value: show(row.line.discount_percent, 2, this.language),
        "aria-label": t("js.discount"),
      }),
    };
    row.tag = el("span", { class: "tag", hidden: !isCategory(row.line) }, t("js.category"));
    row.amountCell = el("td", { class: "num amount" });
    row.tr = el(
      "tr",
      {},
      el("td", { class: "col-pos" }),
      el("td", { class: "col-item" }, row.tag, row.cells.item),
      ...CELLS.slice(1).map((name) => el("td", { class: `col-${name}` }, row.cells[name])),
      row.amountCell,
      el("td", { class: "col-del" }, el("button", {
        type: "button", class: "del", tabindex: "-1", title: t("js.delete_row"), text: "×",
        onclick: () => this.removeRow(this.rows.indexOf(row)),
      })),
    );
    row.autocomplete = new Autocomplete(row.cells.item, {
      search: (q) => api("GET", `/api/products?q=${encodeURIComponent(q)}`),
      label: (item) =>
        item.is_category
          ? el("span", {}, el("span", { class: "tag" }, t("js.category")), " ", item.name)
          : el("span", {}, el("span", { class: "code" }, item.code), " ", item.name, el("span", { class: "sub" }, ` · ${item.unit_name}`)),
      pick: (item) => this.setItem(row, item),
    });
    this.body.insertBefore(row.tr, this.rows[at]?.tr ?? null);
    this.rows.splice(at, 0, row);
    this.refresh();
    return row;
  }

  removeRow(index) {
    const [row] = this.rows.splice(index, 1);
    if (!row) return;
    this.drop(row);
    if (!this.rows.length) this.addRow();
    this.refresh();
    this.rows[Math.min(index, this.rows.length - 1)].cells.item.focus();
  }

  drop(row) {
    row.tr.remove();
    row.autocomplete.destroy();
  }

  setItem(row, item) {
    Object.assign(row.line, {
      product_id: item.is_category ? null : item.product_id,
      category_id: item.category_id,
      name: item.name,
      code: item.code || "",
    });
    row.cells.item.value = item.name;
    row.tag.hidden = !item.is_category;
    if (item.unit_id) row.cells.unit_id.value = String(item.unit_id);
    row.tr.classList.remove("invalid");
    row.cells.item.classList.remove("invalid");
    row.cells.quantity.focus();
    row.cells.quantity.select();
  }

  isEmpty(row) {
    return !row.cells.item.value.trim() && !row.cells.quantity.value.trim() && !row.cells.price.value.trim();
  }

  // --- amounts ----------------------------------------------------------------------------

  numbers(row) {
    const value = (name) => parseDecimal(row.cells[name].value, SCALE[name]);
    return { quantity: value("quantity"), price: value("price"), discount_percent: value("discount_percent") };
  }

  refresh() {
    let total = 0n;
    let vat = 0n;
    this.rows.forEach((row, i) => {
      row.tr.firstChild.textContent = String(i + 1);
      const n = this.numbers(row);
      const ok = n.quantity && n.price !== null && n.discount_percent !== null;
      const amount = ok ? lineAmount(n.quantity, n.price ?? 0n, n.discount_percent ?? 0n) : null;
      row.amountCell.textContent = amount === null ? "" : format(amount, 2, this.language);
      if (amount !== null) {
        total += amount;
        vat += vatIncluded(amount);
      }
    });
    this.total = total;
    this.table.querySelector("#spec-total").textContent = format(total, 2, this.language);
    this.table.querySelector("#spec-vat").textContent = format(vat, 2, this.language);
    this.onChange(total);
  }

  onInput(event) {
    const row = this.rows.find((r) => r.tr.contains(event.target));
    if (!row) return;
    if (event.target === row.cells.item) {
      // Typing over a chosen item un-chooses it: the line must name what the list offered.
      Object.assign(row.line, { product_id: null, category_id: null, name: "", code: "" });
      row.tag.hidden = true;
    }
    event.target.classList.remove("invalid");
    this.refresh();
  }

  // A number as the reader writes it once the cell is left: "45000" → "45 000".
  tidy(input) {
    const scale = SCALE[input.name];
    const value = scale === undefined ? undefined : parseDecimal(input.value, scale);
    if (typeof value === "bigint") input.value = format(value, scale, this.language, { trim: true });
  }

  // --- keyboard ---------------------------------------------------------------------------

  onKey(event) {
    const index = this.rows.findIndex((r) => r.tr.contains(event.target));
    if (index < 0) return;
    const row = this.rows[index];
    const cell = CELLS.find((name) => row.cells[name] === event.target);
    if (event.key === "Delete" && event.ctrlKey) {
      event.preventDefault();
      this.removeRow(index);
    } else if (event.key === "Enter" && !event.ctrlKey && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      if (cell === CELLS.at(-1)) {
        const next = this.rows[index + 1] ?? this.addRow();
        next.cells.item.focus();
      } else {
        row.cells[CELLS[CELLS.indexOf(cell) + 1]].focus();
      }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && cell !== "item" && cell !== "unit_id") {
      const target = this.rows[index + (event.key === "ArrowDown" ? 1 : -1)];
      if (target) {
        event.preventDefault();
        target.cells[cell].focus();
        target.cells[cell].select();
      }
    }
  }

  // --- paste from Excel ---------------------------------------------------------------------

  onPaste(event) {
    const text = event.clipboardData?.getData("text/plain") ?? "";
    if (!/[\t\n]/.test(text.trim())) return; // one value: an ordinary paste into the cell
    event.preventDefault();
    const index = this.rows.findIndex((r) => r.tr.contains(event.target));
    this.paste(text, index < 0 ? this.rows.length : index);
  }

  // All rows or none: the server checks every row; errors name the row and nothing changes.
  async paste(text, at = this.rows.length) {
    this.say("info", t("js.paste_parsing"));
    let result;
    try {
      result = await api("POST", "/api/specification/parse", { text });
    } catch (error) {
      this.say("error", error.message);
      return false;
    }
    if (result.errors.length) {
      this.say("error", [t("js.paste_refused"), ...result.errors.map((e) => e.message)]);
      return false;
    }
    // The row the paste landed on, if still empty, and any empty rows after it give way.
    while (this.rows[at] && this.isEmpty(this.rows[at])) {
      this.drop(this.rows.splice(at, 1)[0]);
    }
    result.lines.forEach((line, i) =>
      this.addRow(
        {
          product_id: line.product_id,
          category_id: line.category_id,
          name: line.product_name || line.category_name || line.description,
          unit_id: line.unit_id,
          quantity: line.quantity,
          price: line.price,
          discount_percent: line.discount_percent,
        },
        at + i,
      ),
    );
    this.say("ok", t("js.paste_done", { count: result.lines.length }));
    this.rows[at + result.lines.length - 1]?.cells.discount_percent.focus();
    return true;
  }

  say(kind, message) {
    const lines = Array.isArray(message) ? message : [message];
    this.status.className = `flash ${kind}`;
    this.status.replaceChildren(...lines.map((line, i) => (i ? el("div", {}, line) : el("strong", {}, line))));
    this.status.hidden = false;
  }

  // --- saving -----------------------------------------------------------------------------

  // The lines for the API, and the problems that stop a save (each names its row).
  collect() {
    const lines = [];
    const problems = [];
    this.rows.forEach((row, i) => {
      if (this.isEmpty(row)) return;
      const n = this.numbers(row);
      const fail = (cell, key) => problems.push({ element: row.cells[cell], row: row.tr, message: t(key, { row: i + 1 }) });
      if (!row.line.product_id && !row.line.category_id) fail("item", "js.line_no_item");
      if (!n.quantity || n.quantity <= 0n) fail("quantity", "js.line_bad_quantity");
      if (n.price === null || (n.price ?? 0n) < 0n) fail("price", "js.line_bad_price");
      if (n.discount_percent === null || n.discount_percent < 0n || n.discount_percent > 10000n) fail("discount_percent", "js.line_bad_discount");
      lines.push({
        product_id: row.line.product_id,
        category_id: row.line.category_id,
        quantity: n.quantity ? plain(n.quantity, 3) : "0",
        unit_id: row.cells.unit_id.value ? Number(row.cells.unit_id.value) : null,
        price: n.price ? plain(n.price, 2) : "0",
        discount_percent: n.discount_percent ? plain(n.discount_percent, 2) : "0",
      });
    });
    return { lines, problems };
  }

  // The API's `lines.3.quantity` / `lines[4].product_id`: the cell that the error is about.
  cellFor(field) {
    const match = /^lines(?:\.(\d+)|\[(\d+)\])\.?(\w*)/.exec(field || "");
    if (!match) return null;
    // Dotted paths count from 0 (pydantic); bracketed ones from 1 (the service's row numbers).
    const index = match[1] !== undefined ? Number(match[1]) : Number(match[2]) - 1;
    const filled = this.rows.filter((row) => !this.isEmpty(row));
    const row = filled[index];
    if (!row) return null;
    const name = { product_id: "item", category_id: "item" }[match[3]] || match[3];
    return row.cells[name] || row.cells.item;
  }
}

function isCategory(line) {
  return !line.product_id && !!line.category_id;
}

// A decimal from the server ("45000.00") as the reader writes it ("45 000", "12,5").
function show(value, scale, language) {
  const parsed = parseDecimal(value, scale);
  return typeof parsed === "bigint" ? format(parsed, scale, language, { trim: true }) : "";
}
