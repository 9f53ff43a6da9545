// Behaviour shared by the list and the card: "/" jumps to the search box, the list's stage
// filter follows its kind filter, the client filter autocompletes, an upload over the size
// limit is refused before it is sent.

import { Autocomplete } from "./autocomplete.js";
import { api, el } from "./common.js";

document.addEventListener("keydown", (event) => {
  const search = document.getElementById("deal-search");
  if (event.key === "/" && search && !event.target.closest("input, textarea, select")) {
    event.preventDefault();
    search.focus();
    search.select();
  }
});

const kindFilter = document.getElementById("filter-kind");
const stageFilter = document.getElementById("filter-stage");
if (kindFilter && stageFilter) {
  const showStages = () => {
    for (const group of stageFilter.querySelectorAll("optgroup")) {
      group.hidden = !!kindFilter.value && group.dataset.kind !== kindFilter.value;
    }
    if (stageFilter.selectedOptions[0]?.parentElement.hidden) stageFilter.value = "";
  };
  kindFilter.addEventListener("change", showStages);
  showStages();
}

const clientFilter = document.getElementById("filter-client");
if (clientFilter) {
  const hidden = clientFilter.form.elements.client_id;
  new Autocomplete(clientFilter, {
    search: (q) => api("GET", `/api/counterparties?q=${encodeURIComponent(q)}`),
    label: (c) => el("span", {}, c.name, c.inn ? el("span", { class: "sub" }, ` · ${c.inn}`) : null),
    pick: (c) => {
      clientFilter.value = c.name;
      hidden.value = c.id;
      clientFilter.form.requestSubmit();
    },
  });
  clientFilter.addEventListener("input", () => (hidden.value = ""));
}

for (const form of document.querySelectorAll("form.upload[data-max-size]")) {
  const box = form.querySelector(".upload-error");
  const check = () => {
    const file = form.elements.file.files[0];
    const tooLarge = file && file.size > Number(form.dataset.maxSize);
    box.textContent = tooLarge ? form.dataset.tooLarge.replace("{name}", file.name) : "";
    box.hidden = !tooLarge;
    return !tooLarge;
  };
  form.elements.file.addEventListener("change", check);
  form.addEventListener("submit", (event) => {
    if (!check()) event.preventDefault();
  });
}
