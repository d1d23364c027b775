// A packet section's editor, enhanced: it saves as the person types, loses nothing, and
// counts words live against the section's limit.
//
// - ~1.5 s after typing stops (and when the text box loses focus or the tab is hidden) the
//   text goes as JSON {body, version} to the section's autosave address
//   (packets:section_autosave). The answer carries the new version and the server's count.
// - Until the server confirms, the text is kept in localStorage (keyed by person and
//   section); on load a kept copy that differs from the saved text is offered back.
// - A save based on an older version (another tab, another device) answers 409 with the
//   section as it stands: autosave stops and both texts are shown side by side, to keep
//   mine, take theirs, or merge. Nothing is overwritten without that choice.
// - The word count uses the server's rule (packets/services/sections.py: count_words).
// The page works without this file: the form is a plain form with the same version check.

import { DraftStore, csrfToken, el } from "./page.js";

const SAVE_AFTER_MS = 1500;
const RETRY_AFTER_MS = 10000;
const WORD = /[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu;
const LINK_TARGET = /\]\([^)\s]*(?:\s+"[^"]*")?\)/g;
const AUTOLINK = /<[a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*>/g;

export function countWords(text) {
  const plain = String(text || "").replace(LINK_TARGET, "]").replace(AUTOLINK, " ");
  const found = plain.match(WORD);
  return found ? found.length : 0;
}

const form = document.getElementById("section-form");
if (form) startEditor(form);

function startEditor(form) {
  const textarea = form.querySelector("textarea[name=body]");
  const status = document.getElementById("autosave-status");
  const offer = document.getElementById("local-copy");
  const counter = document.getElementById("word-count");
  const limit = Number(form.dataset.limit || "0");
  const store = new DraftStore(`commonplace:packet-section:${form.dataset.user || "0"}:${form.dataset.section}`);
  const state = { dirty: false, inFlight: null, again: false, timer: null, retryTimer: null, paused: false, submitting: false };

  function say(text, tone = "") {
    if (!status) return;
    status.textContent = text;
    status.dataset.tone = tone;
  }

  function versionInput() {
    return form.querySelector("input[name=version]");
  }

  function version() {
    const input = versionInput();
    return input ? Number(input.value) : 0;
  }

  function setVersion(value) {
    const input = versionInput();
    if (input) input.value = String(value);
  }

  function showCount() {
    if (!counter) return;
    const words = countWords(textarea.value);
    const over = limit && words > limit;
    counter.textContent = `${words} word${words === 1 ? "" : "s"}${limit ? ` of ${limit}` : ""}${over ? ` — ${words - limit} over the limit` : ""}`;
    counter.dataset.words = String(words);
    counter.classList.toggle("section-count--over", Boolean(over));
  }

  function keepLocally() {
    store.save({ body: textarea.value, version: version() });
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(save, SAVE_AFTER_MS);
  }

  function changed() {
    showCount();
    if (state.submitting) return;
    state.dirty = true;
    keepLocally();
    if (!state.paused) schedule();
  }

  async function save() {
    clearTimeout(state.timer);
    clearTimeout(state.retryTimer);
    if (state.paused || state.submitting || !state.dirty) return;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.dirty = false;
    say("Saving…");
    state.inFlight = send(textarea.value, version());
    try {
      await state.inFlight;
    } finally {
      state.inFlight = null;
    }
    if (state.again) {
      state.again = false;
      if (state.dirty) save();
    }
  }

  function retryLater() {
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(save, RETRY_AFTER_MS);
  }

  async function send(body, basedOn) {
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ body, version: basedOn }),
      });
    } catch {
      state.dirty = true;
      say("Offline — kept on this device. It will be saved when the connection is back.", "warning");
      retryLater();
      return;
    }
    let data = {};
    try {
      data = (await response.json()) || {};
    } catch {
      data = {};
    }
    if (response.ok) {
      setVersion(data.version);
      if (state.dirty) keepLocally();
      else store.clear();
      form.dataset.updatedAt = data.saved_at || "";
      say(`Saved (${data.word_count} word${data.word_count === 1 ? "" : "s"}).`, "ok");
      return;
    }
    state.dirty = true;
    const detail = typeof data.detail === "string" && data.detail ? data.detail : "the server refused it.";
    if (response.status === 409 && data.current) {
      showConflict(data.current);
    } else if (response.status === 404) {
      pause("Not saved: this section is no longer yours to edit. Your text is kept on this device.");
    } else if (response.status === 403) {
      pause("Not saved: you seem to be signed out. Your text is kept on this device; sign in again in another tab, then press Save.");
    } else if (response.status >= 500 || response.status === 429) {
      say("Not saved yet: the server could not save just now. Kept on this device; trying again shortly.", "warning");
      retryLater();
    } else {
      say(`Not saved: ${detail} Kept on this device.`, "error");
    }
  }

  function pause(text) {
    state.paused = true;
    say(text, "error");
  }

  // --- conflicts ------------------------------------------------------------------------

  function side(heading, body, id) {
    const box = el("div", { class: "entry-conflict__text" });
    box.append(el("h3", {}, heading), el("pre", { class: "entry-conflict__pre", id }, body));
    return box;
  }

  function showConflict(current) {
    state.paused = true;
    say("Not saved: this section was changed elsewhere. Both texts are shown above the editor: choose what to keep.", "error");
    const mine = textarea.value;
    const section = el("section", {
      id: "conflict",
      class: "entry-conflict",
      "aria-labelledby": "conflict-h",
      tabindex: "-1",
      "data-state": "open",
      "data-version": String(current.version),
    });
    section.append(
      el("h2", { id: "conflict-h" }, "This section was changed elsewhere"),
      el("p", {}, `It was saved in another tab or on another device (version ${current.version}) while you were writing. Nothing was overwritten, and autosave is paused: both texts are here.`),
    );
    const texts = el("div", { class: "entry-conflict__texts" });
    texts.append(side("Yours", mine, "conflict-yours"), side("Saved elsewhere", String(current.body || ""), "conflict-theirs"));
    const keepMine = el("button", { type: "button", id: "conflict-keep-mine" }, "Keep mine");
    const takeTheirs = el("button", { type: "button", class: "button--secondary", id: "conflict-take-theirs" }, "Take theirs");
    const buttons = el("p", { class: "button-group" });
    buttons.append(keepMine, takeTheirs);
    const merge = el("div", { class: "field entry-conflict__merge" });
    const mergeArea = el("textarea", { id: "conflict-merge", rows: "10", "aria-describedby": "conflict-merge-help" });
    mergeArea.value = mine;
    const mergeSave = el("button", { type: "button", class: "button--secondary", id: "conflict-save-merge" }, "Save the merged text");
    merge.append(
      el("label", { for: "conflict-merge" }, "Or merge them here"),
      el("p", { class: "help", id: "conflict-merge-help" }, "Starts as your text: copy in what you want to keep from the other, then save it."),
      mergeArea,
      mergeSave,
    );
    section.append(texts, buttons, merge);
    const old = document.getElementById("conflict");
    if (old) old.replaceWith(section);
    else form.before(section);
    section.focus();

    // Each choice is saved on top of the version that stands now, as a deliberate act.
    const resolve = (body) => {
      textarea.value = body;
      setVersion(current.version);
      section.remove();
      state.paused = false;
      state.dirty = true;
      showCount();
      keepLocally();
      save();
    };
    keepMine.addEventListener("click", () => resolve(textarea.value));
    mergeSave.addEventListener("click", () => resolve(mergeArea.value));
    takeTheirs.addEventListener("click", () => {
      textarea.value = String(current.body || "");
      setVersion(current.version);
      section.remove();
      store.clear();
      state.paused = false;
      state.dirty = false;
      showCount();
      say("You took the saved text.", "ok");
      textarea.focus();
    });
  }

  // A conflict the server found on a plain submit: autosave waits until they choose.
  const served = document.getElementById("conflict");
  if (served && served.dataset.state === "open") {
    state.paused = true;
    say("Autosave is paused until you choose what to keep.", "warning");
    const theirs = document.getElementById("conflict-take-theirs");
    if (theirs) theirs.addEventListener("click", () => { store.clear(); state.submitting = true; });
  }

  // --- a kept copy from an earlier visit --------------------------------------------------

  function offerKeptCopy() {
    const kept = store.load();
    if (!kept || typeof kept.body !== "string" || !offer) return;
    if (kept.body === textarea.value) {
      store.clear();
      return;
    }
    const restore = el("button", { type: "button", id: "local-copy-restore" }, "Restore it");
    const discard = el("button", { type: "button", class: "button--secondary", id: "local-copy-discard" }, "Discard it");
    const buttons = el("p", { class: "button-group" });
    buttons.append(restore, discard);
    const behind = kept.version && kept.version < version();
    offer.replaceChildren(
      el("p", {}, behind
        ? "This device kept a copy of this section that was never saved; the section was saved elsewhere since. Restoring it shows both texts so you can choose."
        : "This device kept a copy of this section that was never saved."),
      buttons,
    );
    offer.hidden = false;
    restore.addEventListener("click", () => {
      textarea.value = kept.body;
      // Based on the version the copy was made from: if the section moved on since, the
      // save is a conflict and both texts are shown.
      if (kept.version) setVersion(kept.version);
      offer.hidden = true;
      offer.replaceChildren();
      state.dirty = true;
      showCount();
      keepLocally();
      save();
    });
    discard.addEventListener("click", () => {
      store.clear();
      offer.hidden = true;
      offer.replaceChildren();
    });
  }

  offerKeptCopy();
  showCount();

  // --- events -----------------------------------------------------------------------------

  textarea.addEventListener("input", changed);
  textarea.addEventListener("blur", () => { if (state.dirty) save(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && state.dirty) save();
  });
  window.addEventListener("online", () => { if (state.dirty) save(); });
  window.addEventListener("beforeunload", (event) => {
    if (!state.submitting && (state.dirty || state.inFlight)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // The plain submit: wait for a save under way so the version sent is the latest.
  form.addEventListener("submit", async (event) => {
    if (state.submitting) return;
    clearTimeout(state.timer);
    clearTimeout(state.retryTimer);
    state.submitting = true;
    if (state.inFlight) {
      event.preventDefault();
      say("Finishing the last save…");
      try { await state.inFlight; } catch { /* the plain submit still goes */ }
      // The kept copy stays until a page shows the saved text (then it is dropped on load).
      form.requestSubmit(event.submitter || undefined);
      return;
    }
  });
  // Leaving for the quote page: save first, so the quote goes after what was typed.
  const quote = document.getElementById("section-quote");
  if (quote) {
    quote.addEventListener("click", async (event) => {
      if (!state.dirty && !state.inFlight) return;
      event.preventDefault();
      await save();
      if (state.inFlight) await state.inFlight;
      if (!state.dirty) {
        state.submitting = true;
        window.location.assign(quote.href);
      }
    });
  }

  if (status && !state.paused && !status.textContent) say("Changes are saved as you type.");
}
