// One journal entry's page, enhanced. The page works without this file.
//
// - Follows the entry over the tab's socket ({"type":"journals.watch","entry":ID}, again
//   after every reconnect). When the author narrows who may read it and this reader loses
//   it, the server sends "journals.revoked" and the entry's text is taken off the page at
//   once. New feedback ("journals.comment") is announced with a link to reload.
// - "Who can read this": the confirmation box shows only when the choice widens it.
// - After the editor's plain submit succeeded, the copy it kept on this device goes.

import { el } from "./page.js";

const SUBMITTED_KEY = "commonplace:journal:submitted";
const ORDER = ["private", "facilitators", "cohort"];

const article = document.getElementById("entry-content");

function forgetKeptCopy() {
  try {
    const key = window.sessionStorage.getItem(SUBMITTED_KEY);
    if (!key) return;
    window.sessionStorage.removeItem(SUBMITTED_KEY);
    const id = article ? article.dataset.entryId : "";
    // The key names the entry (or "new" for a first save made by the form).
    if (key.endsWith(`:${id}`) || key.endsWith(":new")) window.localStorage.removeItem(key);
  } catch {
    // storage unavailable: nothing was kept
  }
}

function confirmOnlyWhenWidening() {
  const form = document.getElementById("visibility-form");
  const confirm = document.getElementById("visibility-confirm");
  if (!form || !confirm) return;
  const current = ORDER.indexOf(form.dataset.current);
  const update = () => {
    const chosen = form.querySelector("input[name=visibility]:checked");
    const widening = chosen && ORDER.indexOf(chosen.value) > current;
    // A message from the server stays in view whatever is chosen.
    confirm.hidden = !widening && !confirm.querySelector(".errorlist");
  };
  form.addEventListener("change", update);
  update();
}

function follow(client) {
  const id = Number(article.dataset.entryId);
  const isAuthor = article.dataset.author === "1";
  const live = document.getElementById("entry-live");
  let gone = false;

  function revoked() {
    if (gone) return;
    gone = true;
    const text = isAuthor
      ? "This entry was deleted in another tab or window."
      : "This entry is no longer shared with you.";
    article.replaceChildren(el("p", { class: "entry-revoked" }, text));
    for (const node of document.querySelectorAll("#visibility, .entry-actions")) node.remove();
    if (live) {
      live.textContent = text;
      live.hidden = false;
    }
    client.send({ type: "journals.unwatch", entry: id });
  }

  function newFeedback() {
    const box = document.getElementById("feedback-live");
    if (!box || gone) return;
    const link = el("a", { href: `${article.dataset.url}#feedback` }, "reload to read it");
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      // The link is this page with another fragment: the browser would only scroll to it.
      event.preventDefault();
      window.history.replaceState(window.history.state, "", link.href);
      window.location.reload();
    });
    box.replaceChildren(document.createTextNode("New feedback — "), link, document.createTextNode("."));
    box.hidden = false;
  }

  client.addEventListener("journals.revoked", (event) => {
    if (Number(event.detail.entry) === id) revoked();
  });
  client.addEventListener("journals.comment", (event) => {
    if (Number(event.detail.entry) === id) newFeedback();
  });
  client.addEventListener("error", (event) => {
    // Refused when following again after a reconnect: the right went while we were away.
    const detail = event.detail || {};
    if (detail.code === "forbidden" && Number(detail.entry) === id) revoked();
  });
  client.onOpen((c) => {
    if (!gone) c.send({ type: "journals.watch", entry: id });
  });
}

if (article) {
  forgetKeptCopy();
  confirmOnlyWhenWidening();
  if (window.commonplace && window.commonplace.realtime) follow(window.commonplace.realtime);
  else document.addEventListener("commonplace:realtime", (e) => follow(e.detail), { once: true });
}
