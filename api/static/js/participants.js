// The deal's participants: an employee (autocomplete) or a client's contact, each with a role.

import { Autocomplete } from "./autocomplete.js";
import { api, el, t } from "./common.js";

export class Participants {
  constructor(table, roles) {
    this.body = table.tBodies[0];
    this.roles = roles;
  }

  add(p = { employee_id: null, contact_id: null, name: "", role: "support" }) {
    const row = { ...p };
    const person = el("input", { type: "text", class: "cell", value: p.name, readonly: !!p.contact_id, "aria-label": t("js.person") });
    const role = el("select", { class: "cell", "aria-label": t("js.role") },
      this.roles.map((r) => el("option", { value: r, selected: r === p.role }, t(`role.${r}`))));
    let autocomplete = null;
    const remove = el("button", {
      type: "button", class: "del", tabindex: "-1", text: "×", title: t("js.delete_row"),
      onclick: () => {
        tr.remove();
        autocomplete?.destroy();
      },
    });
    const tr = el("tr", {}, el("td", {}, person), el("td", {}, role), el("td", { class: "col-del" }, remove));
    tr.participant = row;
    role.addEventListener("change", () => (row.role = role.value));
    if (!p.contact_id) {
      autocomplete = new Autocomplete(person, {
        search: (q) => api("GET", `/api/employees?q=${encodeURIComponent(q)}`),
        label: (e) => el("span", {}, e.full_name, el("span", { class: "sub" }, ` · ${e.email}`)),
        pick: (e) => {
          Object.assign(row, { employee_id: e.id, name: e.full_name });
          person.value = e.full_name;
          role.focus();
        },
      });
      person.addEventListener("input", () => (row.employee_id = null));
    }
    this.body.append(tr);
    return person;
  }

  // What the API takes; a name typed but not chosen from the list is a problem to fix.
  collect(problems) {
    const list = [];
    [...this.body.rows].forEach((tr, i) => {
      const p = tr.participant;
      const input = tr.querySelector("input");
      if (!p.employee_id && !p.contact_id) {
        if (input.value.trim()) problems.push({ element: input, message: t("js.participant_unknown", { row: i + 1 }) });
        return;
      }
      list.push({ employee_id: p.employee_id, contact_id: p.contact_id, role: p.role });
    });
    return list;
  }
}
