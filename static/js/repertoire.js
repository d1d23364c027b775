// A cohort's repertoire, live: a resource shared into the cohort appears at the top of the
// list without a reload (and is announced to screen readers); one deleted or hidden goes.
// The page works without this file.
//
// Uses the tab's single RealtimeClient (static/js/app.js): follows the cohort with
// {"type":"resources.follow","cohort":SLUG,"after":NEWEST_ID} now and after every reconnect,
// so what was shared while the socket was down is replayed. Cards are de-duplicated by id.
// Event data is only ever put in the page as text (page.js `el()`), never as HTML.

import { el, timeFormatter } from "./page.js";

const list = document.getElementById("resource-list");
const live = document.getElementById("resource-live-status");
const KINDS = new Set(["link", "file", "note"]);

function announce(text) {
  if (live) live.textContent = text;
}

// A same-site path from the event, or nothing (never a javascript: or off-site address).
function safePath(url) {
  return typeof url === "string" && /^\/(?!\/)/.test(url) ? url : null;
}

if (list && list.dataset.cohort && list.dataset.live !== "off") {
  const slug = list.dataset.cohort;
  const formatTime = timeFormatter(list.dataset.timeZone || document.body.dataset.timeZone);

  function newestId() {
    let newest = 0;
    for (const item of list.querySelectorAll("[data-resource-id]")) {
      const id = Number(item.dataset.resourceId) || 0;
      if (id > newest) newest = id;
    }
    return newest;
  }

  function cardFor(id) {
    return document.getElementById(`resource-${id}`);
  }

  // The card of templates/resources/_card.html, with what the event carries (competencies,
  // tags and counts appear on the next load).
  function card(resource) {
    const id = Number(resource.id);
    const href = safePath(resource.url);
    const kind = KINDS.has(resource.kind) ? resource.kind : "link";
    const contributor = String(resource.contributor || "A former member");
    const item = el("li", {
      class: "resource-card resource-card--live",
      id: `resource-${id}`,
      "data-resource-id": String(id),
    });
    const article = el("article", { "aria-labelledby": `resource-${id}-title` });
    const heading = el("h3", { id: `resource-${id}-title`, class: "resource-card__title" });
    const title = String(resource.title || "");
    heading.append(href ? el("a", { href }, title) : document.createTextNode(title));
    const meta = el("p", { class: "resource-card__meta" });
    meta.append(
      el("span", { class: `resource-kind resource-kind--${kind}` }, String(resource.kind_label || kind)),
      ` · shared by ${contributor}`,
    );
    if (resource.created_at) {
      const iso = String(resource.created_at);
      meta.append(" · ", el("time", { datetime: iso }, formatTime(iso) || iso));
    }
    article.append(heading, meta);
    item.append(article);
    return item;
  }

  function added(resource) {
    const id = Number(resource && resource.id);
    if (!Number.isInteger(id) || id <= 0 || cardFor(id)) return;
    list.prepend(card(resource));
    const empty = document.getElementById("resource-list-empty");
    if (empty) empty.hidden = true;
    announce(`New resource: ${String(resource.title || "")} by ${String(resource.contributor || "A former member")}`);
  }

  function updated(resource) {
    const id = Number(resource && resource.id);
    const item = Number.isInteger(id) ? cardFor(id) : null;
    if (!item) return;
    const link = item.querySelector(".resource-card__title a");
    if (link) link.textContent = String(resource.title || "");
  }

  function removed(id) {
    const item = Number.isInteger(id) ? cardFor(id) : null;
    if (item && list.contains(item)) item.remove();
  }

  function attach(client) {
    client.addEventListener("resource.created", (e) => {
      if (e.detail.cohort === slug) added(e.detail.resource);
    });
    client.addEventListener("resource.updated", (e) => {
      if (e.detail.cohort === slug) updated(e.detail.resource);
    });
    client.addEventListener("resource.removed", (e) => {
      if (e.detail.cohort === slug) removed(Number(e.detail.id));
    });
    client.addEventListener("resources.following", (e) => {
      if (e.detail.cohort === slug) list.dataset.live = "on";
    });
    client.addEventListener("error", (e) => {
      const detail = e.detail || {};
      if (detail.code !== "forbidden" || detail.thread || (detail.cohort && detail.cohort !== slug)) return;
      list.dataset.live = "off";
      announce("Live updates stopped: you can no longer follow this cohort's resources.");
    });
    client.addEventListener("state", (e) => {
      if (e.detail.state !== "open") list.dataset.live = "off";
    });
    // Now if open, and again after every reconnect with the newest id shown by then.
    client.onOpen((c) => c.send({ type: "resources.follow", cohort: slug, after: newestId() }));
  }

  if (window.commonplace && window.commonplace.realtime) attach(window.commonplace.realtime);
  else document.addEventListener("commonplace:realtime", (e) => attach(e.detail), { once: true });
}
