// Helpers every enhanced page shares: the CSRF token, UUIDs, building elements, times in the
// viewer's zone, a draft kept in the browser until the server confirms, and JSON calls to the
// REST API. Pages import what they need: `import { apiFetch } from "./page.js";`.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

export function newUuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// An element with attributes and, optionally, text (always as text, never as HTML).
export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Server-rendered, sanitised HTML (a partial the server sent) as nodes, without running
// anything in it. Only ever for HTML the server rendered; text from people goes through el().
export function fromServerHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

// Times are shown as the server shows them: "28 Nov 2026, 12:26" in the person's own time
// zone (from their profile, carried on the page as data-time-zone), whatever the browser's
// locale.
export function timeFormatter(zone) {
  const options = {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  };
  let format;
  try {
    format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone || undefined });
  } catch {
    format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
  }
  return (iso) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? "" : format.format(date);
  };
}

// Every <time datetime> under `root`, written out in the viewer's zone.
export function localiseTimes(root, format) {
  for (const node of root.querySelectorAll("time[datetime]")) {
    const text = format(node.getAttribute("datetime"));
    if (text) node.textContent = text;
  }
}

// What someone typed, kept in localStorage under `key` until the server confirms it, so a
// failed submit or a reload loses nothing. Without storage (private mode, quota) every call
// does nothing.
export class DraftStore {
  constructor(key) {
    this.key = key;
    this.storage = DraftStore.available();
  }

  static available() {
    try {
      const probe = "commonplace:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch {
      return null;
    }
  }

  load() {
    if (!this.storage) return null;
    try {
      return JSON.parse(this.storage.getItem(this.key) || "null");
    } catch {
      return null;
    }
  }

  save(draft) {
    if (!this.storage) return;
    try {
      this.storage.setItem(this.key, JSON.stringify({ ...draft, saved_at: Date.now() }));
    } catch {
      // Storage full: the text is still in the page.
    }
  }

  clear() {
    if (this.storage) this.storage.removeItem(this.key);
  }
}

// A refusal from the REST API: `detail` and `code` as the server sent them (CONTRACT.md),
// `status`, and the whole body in `data` (a 409 stale edit carries the post under `current`).
export class ApiError extends Error {
  constructor(status, data) {
    super(ApiError.message(status, data));
    this.status = status;
    this.data = data || {};
    this.code = this.data.code || "";
  }

  static message(status, data) {
    if (data && typeof data.detail === "string" && data.detail) return data.detail;
    if (data && typeof data === "object") {
      // A validation error: the first message of the first field.
      const first = Object.values(data).flat()[0];
      if (typeof first === "string" && first) return first;
    }
    return `The server refused this (${status}).`;
  }
}

// A JSON call to the REST API with the session cookie and the CSRF token. Answers the parsed
// body; throws ApiError for an answer outside 2xx, and lets a network failure (TypeError)
// through so the caller can say "could not reach the server".
export async function apiFetch(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, credentials: "same-origin", headers };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
