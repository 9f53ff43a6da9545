// Small helpers every page script shares: the JSON API with the session's CSRF token,
// the page's translated strings, and a tiny element builder.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "HTTPError";
    this.details = (body && body.details) || {};
  }
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

export async function api(method, url, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: "Network", message: strings.t("js.network") });
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function loadJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

// strings.t(key, params): the catalog entries the server put into the page, filled in.
export const strings = {
  table: loadJSON("strings"),
  t(key, params = {}) {
    const text = this.table[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? params[name] : whole));
  },
};
export const t = (key, params) => strings.t(key, params);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function formatDateTime(iso, language) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(language === "en" ? "en-GB" : "ru-RU", { dateStyle: "short", timeStyle: "short" });
}
