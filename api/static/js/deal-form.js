// The deal form: one screen, keyboard only. The client field has the focus first; everything
// else is Tab away. Ctrl+Enter saves through the JSON API; a refusal is shown at the top and
// next to the field it is about, and nothing typed is lost.

import { Autocomplete } from "./autocomplete.js";
import { ClientField } from "./client-field.js";
import { api, el, formatDateTime, loadJSON, t } from "./common.js";
import { format, parseDecimal, plain } from "./decimal.js";
import { Participants } from "./participants.js";
import { SpecGrid } from "./spec-grid.js";

const data = loadJSON("deal-form-data");
const { reference, language } = data;
const deal = data.deal;
const form = document.getElementById("deal-form");
const $ = (id) => document.getElementById(id);

// Heads may give the deal to another manager; everyone else keeps it (the author by default).
let manager = deal ? { id: deal.manager_id, name: deal.manager_name } : { id: data.me.id, name: data.me.name };

// --- client -------------------------------------------------------------------------------

const clientField = new ClientField({
  client: deal ? { id: deal.client_id, name: deal.client_name, inn: deal.client_inn } : null,
  next: $("contact"),
});
const clientInput = clientField.input;

// --- manager (heads assign), kind and its own fields --------------------------------------

const managerInput = $("manager");
if (data.me.can_assign) {
  new Autocomplete(managerInput, {
    search: (q) => api("GET", `/api/employees?q=${encodeURIComponent(q)}`),
    label: (e) => el("span", {}, e.full_name, el("span", { class: "sub" }, ` · ${e.email}`)),
    pick: (e) => {
      manager = { id: e.id, name: e.full_name };
      managerInput.value = e.full_name;
      $("title").focus();
    },
  });
  managerInput.addEventListener("input", () => (manager = null));
}

const kindSelect = $("kind");
const kindOf = (code) => reference.kinds.find((k) => k.code === code);

function renderCustomFields(values = {}) {
  const kind = kindOf(kindSelect.value);
  const box = $("custom-fields");
  box.replaceChildren(
    ...(kind?.custom_fields ?? []).map((f) => {
      const id = `custom-${f.code}`;
      const label = (language === "en" && f.label_en) || f.label;
      const value = values[f.code] ?? "";
      let input;
      if (f.field_type === "bool") {
        input = el("input", { type: "checkbox", id, checked: value === true });
      } else if (f.field_type === "choice") {
        input = el("select", { id }, el("option", { value: "" }, "—"), f.choices.map((c) => el("option", { value: c, selected: c === value }, c)));
      } else {
        const type = f.field_type === "date" ? "date" : "text";
        input = el("input", { type, id, value: String(value), inputmode: f.field_type === "number" ? "decimal" : null });
      }
      input.dataset.custom = f.code;
      input.dataset.type = f.field_type;
      return el("div", { class: `field ${f.field_type === "text" ? "w4" : "w2"}` },
        el("label", { for: id }, label, f.required ? el("span", { class: "req" }, " *") : null), input);
    }),
  );
  box.hidden = !box.children.length;
}

kindSelect.addEventListener("change", () => renderCustomFields(collectCustom()));

function collectCustom() {
  const values = {};
  for (const input of document.querySelectorAll("[data-custom]")) {
    const type = input.dataset.type;
    if (type === "bool") values[input.dataset.custom] = input.checked;
    else if (input.value.trim() !== "") values[input.dataset.custom] = input.value.trim();
  }
  return values;
}

// --- specification ----------------------------------------------------------------------

const grid = new SpecGrid($("spec-grid"), {
  units: reference.units,
  language,
  status: $("paste-status"),
  onChange: (total) => ($("footer-total").textContent = format(total, 2, language)),
});
grid.load(
  (deal?.lines ?? []).map((line) => ({
    product_id: line.product_id,
    category_id: line.category_id,
    name: line.product_id ? line.description : line.category_name || line.description,
    code: line.product_code,
    unit_id: line.unit_id,
    quantity: line.quantity,
    price: line.price,
    discount_percent: line.discount_percent,
  })),
);
$("add-line").addEventListener("click", () => grid.addRow().cells.item.focus());
$("paste-toggle").addEventListener("click", () => {
  $("paste-box").hidden = !$("paste-box").hidden;
  if (!$("paste-box").hidden) $("paste-text").focus();
});
async function applyPasteBox() {
  if (await grid.paste($("paste-text").value)) {
    $("paste-text").value = "";
    $("paste-box").hidden = true;
  }
}
$("paste-apply").addEventListener("click", applyPasteBox);
$("paste-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.shiftKey) {
    event.preventDefault();
    applyPasteBox();
  }
});

// --- participants -----------------------------------------------------------------------

const participants = new Participants($("participants"), reference.participant_roles);
(deal?.participants ?? []).forEach((p) => participants.add(p));
$("add-participant").addEventListener("click", () => participants.add().focus());

// --- saving -----------------------------------------------------------------------------

function numberField(id, scale, problems) {
  const input = $(id);
  const value = parseDecimal(input.value, scale);
  if (value === undefined) return "0";
  if (value === null || value < 0n) {
    problems.push({ element: input, message: t("js.bad_number", { field: input.labels[0].textContent }) });
    return "0";
  }
  return plain(value, scale);
}

function collect() {
  const problems = [];
  if (!clientField.client) problems.push({ element: clientInput, message: t("js.client_required") });
  if (data.me.can_assign && !manager && managerInput.value.trim()) {
    problems.push({ element: managerInput, message: t("js.manager_unknown") });
  }
  const { lines, problems: lineProblems } = grid.collect();
  problems.push(...lineProblems);
  const days = $("payment_deferral_days").value.trim();
  if (days && !/^\d+$/.test(days)) problems.push({ element: $("payment_deferral_days"), message: t("js.bad_number", { field: $("payment_deferral_days").labels[0].textContent }) });
  const id = (sel) => ($(sel).value ? Number($(sel).value) : null);
  const card = {
    title: $("title").value.trim(),
    business_unit_id: id("business_unit"),
    client_id: clientField.client?.id ?? null,
    contact_id: id("contact"),
    manager_id: manager?.id ?? null,
    // The same manager keeps the card's department; another one brings their own.
    department_id: deal && manager?.id === deal.manager_id ? deal.department_id : null,
    potential_amount: numberField("potential_amount", 2, problems),
    channel_id: id("channel"),
    source: $("source").value.trim(),
    primary_demand: $("primary_demand").value.trim(),
    delivery_method: $("delivery_method").value,
    warehouse_id: id("warehouse"),
    payment_deferral_days: days ? Number(days) : 0,
    prepayment_percent: numberField("prepayment_percent", 2, problems),
    expected_close_date: $("expected_close_date").value || null,
    custom_fields: collectCustom(),
    lines,
    participants: participants.collect(problems),
  };
  if (deal) {
    card.expected_version = deal.version;
  } else {
    card.kind = kindSelect.value;
    if (data.tender) card.parent_number = data.tender.number;
  }
  if ($("override_reason")) card.override_reason = $("override_reason").value.trim();
  return { card, problems };
}

const saveButton = $("save");
const formError = $("form-error");

function showProblems(messages, elements) {
  document.querySelectorAll(".invalid").forEach((node) => node.classList.remove("invalid"));
  elements.filter(Boolean).forEach((node) => {
    node.classList.add("invalid");
    node.closest("tr")?.classList.add("invalid");
  });
  formError.replaceChildren(...messages.map((m, i) => (i ? el("div", {}, m) : el("strong", {}, m))));
  formError.hidden = false;
  formError.scrollIntoView({ block: "nearest" });
  elements.find(Boolean)?.focus();
}

// The field a refusal names: "client_id", "lines[2].price", "lines.0.quantity", "custom_fields.x".
function elementFor(field) {
  if (!field) return null;
  if (field.startsWith("lines")) return grid.cellFor(field);
  if (field.startsWith("custom_fields.")) return document.querySelector(`[data-custom="${field.split(".")[1]}"]`);
  const ids = { client_id: "client", manager_id: "manager", contact_id: "contact", business_unit_id: "business_unit",
    warehouse_id: "warehouse", channel_id: "channel", kind: "kind" };
  return $(ids[field] || field);
}

function messageOf(error) {
  if (error.code === "VersionConflict") {
    const d = error.details;
    return t("js.version_conflict", { who: d.changed_by, when: formatDateTime(d.changed_at, language), expected: d.expected, current: d.current });
  }
  return error.message;
}

let saving = false;
async function save() {
  if (saving) return;
  const { card, problems } = collect();
  if (problems.length) {
    return showProblems([t("js.fix_before_save"), ...problems.map((p) => p.message)], problems.map((p) => p.element));
  }
  saving = true;
  saveButton.disabled = true;
  saveButton.dataset.label = saveButton.innerHTML;
  saveButton.textContent = t("js.saving");
  try {
    const saved = deal ? await api("PUT", `/api/deals/${deal.number}`, card) : await api("POST", "/api/deals", card);
    window.location.assign(`/deals/${saved.number}`);
  } catch (error) {
    const fields = Array.isArray(error.details) ? error.details.map((d) => d.field) : [error.details.field];
    showProblems([messageOf(error)], fields.map(elementFor));
    if (error.code === "VersionConflict") {
      formError.append(el("div", {}, el("a", { href: `/deals/${deal.number}`, target: "_blank", rel: "noopener" }, t("js.open_card"))));
    }
    saving = false;
    saveButton.disabled = false;
    saveButton.innerHTML = saveButton.dataset.label;
  }
}

saveButton.addEventListener("click", save);
form.addEventListener("submit", (event) => event.preventDefault());
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    save();
  } else if (event.key === "Enter" && event.target.matches("input:not([type=checkbox]), select") && !event.defaultPrevented) {
    event.preventDefault(); // Enter never submits half a form; in the grid it moves on
  }
});

// --- start ------------------------------------------------------------------------------

renderCustomFields(deal?.custom_fields ?? {});
if (deal) clientField.loadContacts(deal.client_id, deal.contact_id);
clientInput.focus();
