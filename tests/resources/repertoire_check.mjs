// Drives static/js/repertoire.js in Node with a tiny stand-in for the DOM and the tab's
// socket client (tests/resources/test_live.py runs it). Exits non-zero on the first failed
// check, printing what failed.

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";

class Text {
  constructor(text) {
    this.text = String(text);
    this.parent = null;
  }
  get textContent() {
    return this.text;
  }
}

class Element {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.childNodes = [];
    this.parent = null;
    this.hidden = false;
    const element = this;
    this.dataset = new Proxy(
      {},
      {
        get: (_, key) => element.getAttribute(`data-${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`) ?? undefined,
        set: (_, key, value) => {
          element.setAttribute(`data-${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
          return true;
        },
      },
    );
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }
  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }
  get id() {
    return this.getAttribute("id") || "";
  }
  get classList() {
    return (this.getAttribute("class") || "").split(/\s+/).filter(Boolean);
  }
  get children() {
    return this.childNodes.filter((n) => n instanceof Element);
  }
  get textContent() {
    return this.childNodes.map((n) => n.textContent).join("");
  }
  set textContent(text) {
    this.childNodes = [];
    this.append(String(text));
  }
  adopt(node) {
    const child = typeof node === "string" ? new Text(node) : node;
    if (child.parent) child.parent.childNodes = child.parent.childNodes.filter((n) => n !== child);
    child.parent = this;
    return child;
  }
  append(...nodes) {
    for (const node of nodes) this.childNodes.push(this.adopt(node));
  }
  prepend(...nodes) {
    this.childNodes.unshift(...nodes.map((n) => this.adopt(n)));
  }
  remove() {
    if (this.parent) this.parent.childNodes = this.parent.childNodes.filter((n) => n !== this);
    this.parent = null;
  }
  contains(node) {
    for (let at = node; at; at = at.parent) if (at === this) return true;
    return false;
  }
  *descendants() {
    for (const child of this.children) {
      yield child;
      yield* child.descendants();
    }
  }
  // Simple selectors only (tag, .class, [attr]), joined by descendant spaces.
  matches(simple) {
    const parts = simple.match(/[.[]?[^.[]+/g) || [];
    return parts.every((part) => {
      if (part.startsWith(".")) return this.classList.includes(part.slice(1));
      if (part.startsWith("[")) return this.attributes.has(part.slice(1, -1));
      return this.tagName === part.toUpperCase();
    });
  }
  querySelectorAll(selector) {
    const steps = selector.trim().split(/\s+/);
    let found = [this];
    for (const step of steps) {
      const next = new Set();
      for (const root of found) for (const node of root.descendants()) if (node.matches(step)) next.add(node);
      found = [...next];
    }
    return found;
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
}

const body = new Element("body");
const documentStub = new EventTarget();
Object.assign(documentStub, {
  body,
  createElement: (tag) => new Element(tag),
  createTextNode: (text) => new Text(text),
  getElementById: (id) => [...body.descendants()].find((n) => n.id === id) || null,
});
globalThis.document = documentStub;
globalThis.window = globalThis;

// The page as templates/resources/repertoire.html renders it: one card already there.
const list = new Element("ol");
list.setAttribute("id", "resource-list");
list.setAttribute("class", "resource-list");
list.setAttribute("data-cohort", "partnerships-spring");
list.setAttribute("data-live", "on");
list.setAttribute("data-time-zone", "UTC");
const existing = new Element("li");
existing.setAttribute("id", "resource-7");
existing.setAttribute("class", "resource-card");
existing.setAttribute("data-resource-id", "7");
list.append(existing);
const live = new Element("p");
live.setAttribute("id", "resource-live-status");
body.append(list, live);

// The tab's socket client, as static/js/app.js exposes it.
class FakeClient extends EventTarget {
  constructor() {
    super();
    this.sent = [];
  }
  onOpen(hook) {
    hook(this);
  }
  send(message) {
    this.sent.push(message);
    return true;
  }
  emit(message) {
    this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
  }
}
const client = new FakeClient();
globalThis.commonplace = { realtime: client };

await import(pathToFileURL(process.argv[2]).href);

// It follows the page's cohort, after the newest resource shown.
assert.deepEqual(client.sent, [{ type: "resources.follow", cohort: "partnerships-spring", after: 7 }]);

const created = (id, fields = {}) => ({
  type: "resource.created",
  cohort: "partnerships-spring",
  resource: {
    id,
    kind: "file",
    kind_label: "File",
    title: "Asset <img src=x onerror=alert(1)> map",
    url: `/resources/${id}/`,
    contributor: "Mateo Member",
    created_at: "2026-11-30T20:00:00Z",
    ...fields,
  },
});

client.emit(created(9));
const card = document.getElementById("resource-9");
assert.ok(card, "the new card is on the page");
assert.equal(list.children[0], card, "at the top");
assert.equal(card.getAttribute("class"), "resource-card resource-card--live");
assert.equal(card.dataset.resourceId, "9");
const article = card.querySelector("article");
assert.equal(article.getAttribute("aria-labelledby"), "resource-9-title");
const heading = card.querySelector("h3");
assert.equal(heading.id, "resource-9-title");
assert.equal(heading.getAttribute("class"), "resource-card__title");
const link = card.querySelector(".resource-card__title a");
assert.equal(link.getAttribute("href"), "/resources/9/");
// Event text is text: no element was made from it.
assert.equal(link.textContent, "Asset <img src=x onerror=alert(1)> map");
assert.equal(card.querySelectorAll("img").length, 0);
const kind = card.querySelector(".resource-kind");
assert.equal(kind.getAttribute("class"), "resource-kind resource-kind--file");
assert.equal(kind.textContent, "File");
assert.match(card.querySelector(".resource-card__meta").textContent, /^File · shared by Mateo Member · /);
assert.equal(card.querySelector("time").getAttribute("datetime"), "2026-11-30T20:00:00Z");
assert.equal(card.querySelector("time").textContent, "30 Nov 2026, 20:00");
assert.equal(live.textContent, "New resource: Asset <img src=x onerror=alert(1)> map by Mateo Member");

// Once only, and only this cohort's.
client.emit(created(9));
assert.equal(list.querySelectorAll("[data-resource-id]").length, 2);
client.emit({ ...created(10), cohort: "another-cohort" });
assert.equal(document.getElementById("resource-10"), null);

// A link that is not a same-site path is not made a link; an unknown kind is not a class.
client.emit(created(11, { url: "javascript:alert(1)", kind: "x y" }));
const odd = document.getElementById("resource-11");
assert.equal(odd.querySelectorAll("a").length, 0);
assert.equal(odd.querySelector("h3").textContent, "Asset <img src=x onerror=alert(1)> map");
assert.equal(odd.querySelector(".resource-kind").getAttribute("class"), "resource-kind resource-kind--link");
client.emit(created(12, { url: "//evil.example/x" }));
assert.equal(document.getElementById("resource-12").querySelectorAll("a").length, 0);

// An edit renames the card; a removal (deleted or hidden) takes it away.
client.emit({ type: "resource.updated", cohort: "partnerships-spring", resource: { id: 9, title: "Renamed" } });
assert.equal(document.getElementById("resource-9").querySelector("a").textContent, "Renamed");
client.emit({ type: "resource.removed", cohort: "partnerships-spring", id: 7 });
assert.equal(document.getElementById("resource-7"), null);
client.emit({ type: "resource.removed", cohort: "another-cohort", id: 9 });
assert.ok(document.getElementById("resource-9"));

// Refused (e.g. removed from the cohort): live updates stop, and the page says so.
client.emit({ type: "error", code: "forbidden", detail: "x", cohort: "partnerships-spring" });
assert.equal(list.dataset.live, "off");
assert.match(live.textContent, /Live updates stopped/);

console.log("repertoire.js: all checks passed");
