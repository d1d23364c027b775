// The journal entry editor, enhanced: it saves as the person types and loses nothing.
//
// - ~1.5 s after typing stops (and when a field loses focus or the tab is hidden) the form's
//   fields go as JSON, with the `version` they are based on, to the entry's autosave address
//   (journals:entry_autosave). A new entry's first save goes to the new-entry address and
//   makes a private draft; the page's address then becomes the draft's edit address.
// - Until the server confirms, what was typed is kept in localStorage (keyed by person and
//   entry, or "new"); on load a kept copy that differs from, and is newer than, the saved
//   entry is offered back.
// - A save based on an older version (another tab, another device) answers 409 with the
//   entry as it stands: autosave stops and both texts are shown side by side, to keep mine,
//   take theirs, or merge. Nothing is ever overwritten without that choice.
// - Saving as you type never changes who can read the entry (the server ignores it).
// The page works without this file: the form is a plain form with the same version check.

import { DraftStore, csrfToken, el, newUuid } from "./page.js";

const SAVE_AFTER_MS = 1500;
const RETRY_AFTER_MS = 10000;
const SUBMITTED_KEY = "commonplace:journal:submitted";
// Structural fields a kept copy never overwrites.
const KEPT_AS_IS = new Set(["csrfmiddlewaretoken", "version", "draft_key", "evidence", "evidence_id"]);
const LIST_FIELDS = ["competencies", "framing_questions"];

const form = document.getElementById("entry-form");
if (form) startEditor(form);

function startEditor(form) {
  const status = document.getElementById("autosave-status");
  const offer = document.getElementById("local-copy");
  const userId = form.dataset.user || "0";
  const state = {
    id: form.dataset.entryId || "",
    autosaveUrl: form.dataset.autosaveUrl || "",
    createUrl: form.dataset.createUrl || "",
    dirty: false,
    inFlight: null,
    again: false,
    timer: null,
    retryTimer: null,
    paused: false,
    submitting: false,
    draftKey: newUuid(),
  };
  let store = new DraftStore(storeKey(state.id));
  const clock = clockFormatter(form.dataset.timeZone || document.body.dataset.timeZone);

  function storeKey(id) {
    return `commonplace:journal:${userId}:${id || "new"}`;
  }

  function say(text, tone = "") {
    if (!status) return;
    status.textContent = text;
    status.dataset.tone = tone;
  }

  // --- the form's fields ----------------------------------------------------------------

  function fields() {
    const data = {};
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") continue;
      if (name in data) data[name] = [].concat(data[name], value);
      else data[name] = value;
    }
    // A group of checkboxes is always a list, so an emptied one clears on the server.
    for (const name of LIST_FIELDS) {
      if (!(name in data)) data[name] = [];
      else if (!Array.isArray(data[name])) data[name] = [data[name]];
    }
    return data;
  }

  function comparable(values) {
    const copy = { ...values };
    for (const name of KEPT_AS_IS) delete copy[name];
    delete copy.visibility;
    return JSON.stringify(Object.keys(copy).sort().map((k) => [k, copy[k]]));
  }

  function fill(values) {
    for (const element of form.elements) {
      const name = element.name;
      if (!name || KEPT_AS_IS.has(name) || element.type === "hidden" || name === "visibility") continue;
      const value = values[name];
      if (element.type === "checkbox") {
        element.checked = [].concat(value === undefined ? [] : value).includes(element.value);
      } else if (element.type === "radio") {
        if (value !== undefined) element.checked = element.value === value;
      } else if (value !== undefined && !Array.isArray(value)) {
        element.value = value;
      }
    }
    // Open the areas whose competencies are chosen, so nothing restored is out of sight.
    for (const details of form.querySelectorAll("details")) {
      if (details.querySelector("input:checked")) details.open = true;
    }
  }

  function versionInput() {
    return form.querySelector("input[name=version]");
  }

  function setVersion(version) {
    let input = versionInput();
    if (!input) {
      input = el("input", { type: "hidden", name: "version", id: "id_version" });
      form.prepend(input);
    }
    input.value = String(version);
  }

  function keepLocally() {
    const input = versionInput();
    store.save({ fields: fields(), version: input ? Number(input.value) : null });
  }

  // --- saving ---------------------------------------------------------------------------

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(save, SAVE_AFTER_MS);
  }

  function changed() {
    if (state.submitting) return;
    state.dirty = true;
    keepLocally();
    if (state.paused) return;
    schedule();
  }

  async function save() {
    clearTimeout(state.timer);
    clearTimeout(state.retryTimer);
    if (state.paused || state.submitting || !state.dirty) return;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    const sent = fields();
    if (!state.autosaveUrl && !String(sent.title || "").trim()) {
      say("Give the entry a title to start saving as you type. Until then it is kept on this device.");
      return;
    }
    state.dirty = false;
    say("Saving…");
    state.inFlight = send(sent);
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

  async function send(sent) {
    const creating = !state.autosaveUrl;
    const url = creating ? state.createUrl : state.autosaveUrl;
    const body = creating ? { ...sent, draft_key: state.draftKey } : sent;
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(body),
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
      confirmed(data, creating);
      return;
    }
    state.dirty = true;
    if (response.status === 409 && data.current) {
      showConflict(data.current);
    } else if (response.status === 400 || data.field) {
      const detail = typeof data.detail === "string" && data.detail ? data.detail : "the server refused it.";
      say(`Not saved: ${detail} Kept on this device.`, "error");
    } else if (response.status === 404) {
      pause("Not saved: this entry was deleted or is no longer yours to edit. Your text is kept on this device.");
    } else if (response.status === 403) {
      pause("Not saved: you seem to be signed out. Your text is kept on this device; sign in again in another tab, then press Save.");
    } else if (response.status >= 500 || response.status === 429) {
      say("Not saved yet: the server could not save just now. Kept on this device; trying again shortly.", "warning");
      retryLater();
    } else {
      const detail = typeof data.detail === "string" && data.detail ? data.detail : "the server refused it.";
      say(`Not saved: ${detail} Kept on this device.`, "error");
    }
  }

  function pause(text) {
    state.paused = true;
    say(text, "error");
  }

  function confirmed(data, creating) {
    setVersion(data.version);
    if (creating) {
      state.id = String(data.id);
      state.autosaveUrl = data.autosave_url;
      form.dataset.entryId = state.id;
      form.dataset.autosaveUrl = data.autosave_url;
      form.action = data.edit_url;
      window.history.replaceState(window.history.state, "", data.edit_url);
      const before = store;
      store = new DraftStore(storeKey(state.id));
      before.clear();
      evidenceSettled(data.evidence_id);
    }
    if (state.dirty) keepLocally();
    else store.clear();
    const when = clock(data.saved_at);
    say(when ? `Saved at ${when}` : "Saved", "ok");
  }

  // The evidence named in the address went with the draft (its annotation still saves with
  // the entry), or it was left out: then it is added from the entry's page.
  function evidenceSettled(evidenceId) {
    const box = document.getElementById("evidence-to-attach");
    if (!box) return;
    const hidden = box.querySelector("input[name=evidence]");
    if (hidden) hidden.remove();
    const attach = box.querySelector("input[name=attach_evidence]");
    if (attach) attach.closest(".field").remove();
    const legend = box.querySelector("legend");
    if (evidenceId) {
      box.prepend(el("input", { type: "hidden", name: "evidence_id", value: String(evidenceId) }));
      if (legend) legend.textContent = "Evidence attached";
    } else {
      box.replaceChildren(
        el("legend", {}, "Evidence"),
        el("p", { class: "help" }, "Not attached. You can add evidence from the entry's page once it is saved."),
      );
    }
  }

  // --- conflicts --------------------------------------------------------------------------

  function side(title, heading, body, prefix) {
    const box = el("div", { class: "entry-conflict__text" });
    box.append(
      el("h3", {}, heading),
      el("p", { class: "entry-conflict__title", id: `${prefix}-title` }, title),
      el("pre", { class: "entry-conflict__pre", id: prefix }, body),
    );
    return box;
  }

  function showConflict(current) {
    const sent = fields(); // the person's text as it stands now (they may have typed on)
    state.paused = true;
    say("Not saved: this entry was changed elsewhere. Both texts are shown above the form: choose what to keep.", "error");
    const old = document.getElementById("conflict");
    const section = el("section", {
      id: "conflict",
      class: "entry-conflict",
      "aria-labelledby": "conflict-h",
      tabindex: "-1",
      "data-state": "open",
      "data-version": String(current.version),
    });
    section.append(
      el("h2", { id: "conflict-h" }, "This entry was changed elsewhere"),
      el(
        "p",
        {},
        `It was saved in another tab or on another device (version ${current.version}) while you were writing. Nothing was overwritten, and autosave is paused: both texts are here.`,
      ),
    );
    const texts = el("div", { class: "entry-conflict__texts" });
    texts.append(
      side(String(sent.title || ""), "Yours", String(sent.body || ""), "conflict-yours"),
      side(String(current.title || ""), "Saved elsewhere", String(current.body || ""), "conflict-theirs"),
    );
    const keepMine = el("button", { type: "button", id: "conflict-keep-mine" }, "Keep mine");
    const takeTheirs = el("button", { type: "button", class: "button--secondary", id: "conflict-take-theirs" }, "Take theirs");
    const buttons = el("p", { class: "button-group" });
    buttons.append(keepMine, takeTheirs);
    const mergeField = el("div", { class: "field entry-conflict__merge" });
    const mergeArea = el("textarea", { id: "conflict-merge", rows: "10", "aria-describedby": "conflict-merge-help" });
    mergeArea.value = String(sent.body || "");
    const mergeSave = el("button", { type: "button", class: "button--secondary", id: "conflict-save-merge" }, "Save the merged text");
    mergeField.append(
      el("label", { for: "conflict-merge" }, "Or merge them here"),
      el("p", { class: "help", id: "conflict-merge-help" }, "Starts as your text: copy in what you want to keep from the other, then save it."),
      mergeArea,
      mergeSave,
    );
    section.append(texts, buttons, mergeField);
    if (old) old.replaceWith(section);
    else form.before(section);
    section.focus();

    // Each choice is saved on top of the version that stands now, as a deliberate act.
    const resolve = (body) => {
      if (body !== null) {
        const textarea = form.querySelector("[name=body]");
        if (textarea) textarea.value = body;
      }
      setVersion(current.version);
      section.remove();
      state.paused = false;
      state.dirty = true;
      keepLocally();
      save();
    };
    // Keep mine: the form already holds it.
    keepMine.addEventListener("click", () => resolve(null));
    mergeSave.addEventListener("click", () => resolve(mergeArea.value));
    takeTheirs.addEventListener("click", () => takeTheirsNow());
  }

  function takeTheirsNow() {
    store.clear();
    state.dirty = false;
    state.submitting = true; // nothing more is saved from this page
    window.location.assign(form.action || window.location.href);
  }

  // A conflict the server found on a plain submit: the form holds the person's text, based
  // on the current version. Autosave waits until they choose.
  const served = document.getElementById("conflict");
  if (served && served.dataset.state === "open") {
    state.paused = true;
    say("Autosave is paused until you choose what to keep.", "warning");
    const theirs = document.getElementById("conflict-take-theirs");
    if (theirs) {
      theirs.addEventListener("click", () => {
        store.clear();
        state.submitting = true;
      });
    }
  }

  // --- a kept copy from an earlier visit ------------------------------------------------

  function offerKeptCopy() {
    const submitted = sessionStorage.getItem(SUBMITTED_KEY);
    if (submitted === storeKey(state.id)) sessionStorage.removeItem(SUBMITTED_KEY);
    const kept = store.load();
    if (!kept || !kept.fields || !offer) return;
    // The same as the form shows: nothing to offer (the copy stays until a save confirms).
    if (comparable(kept.fields) === comparable(fields())) return;
    const savedAt = Date.parse(form.dataset.updatedAt || "") || 0;
    const input = versionInput();
    const serverVersion = input ? Number(input.value) : 0;
    const newer = !savedAt || (kept.saved_at || 0) > savedAt;
    const behind = Boolean(kept.version && serverVersion && kept.version < serverVersion);
    const when = clock(new Date(kept.saved_at || Date.now()).toISOString());
    const restore = el("button", { type: "button", id: "local-copy-restore" }, "Restore it");
    const discard = el("button", { type: "button", class: "button--secondary", id: "local-copy-discard" }, "Discard it");
    const buttons = el("p", { class: "button-group" });
    buttons.append(restore, discard);
    offer.replaceChildren(
      el(
        "p",
        {},
        !state.id
          ? `This device kept a new entry you had started${when ? ` (${when})` : ""} that was never saved.`
          : newer && !behind
            ? `This device kept a copy of this entry${when ? ` from ${when}` : ""} that is newer than the saved text.`
            : `This device kept a copy of this entry${when ? ` from ${when}` : ""} that was never saved; the entry was saved elsewhere since. Restoring it shows both texts so you can choose.`,
      ),
      el("p", { class: "meta" }, `“${String(kept.fields.title || "Untitled")}”`),
      buttons,
    );
    offer.hidden = false;
    restore.addEventListener("click", () => {
      fill(kept.fields);
      // Based on the version the copy was made from: if the entry moved on since, the save
      // is a conflict and both texts are shown.
      if (state.id && kept.version) setVersion(kept.version);
      offer.hidden = true;
      offer.replaceChildren();
      state.dirty = true;
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

  // --- events ---------------------------------------------------------------------------

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", () => {
    if (state.dirty) save();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && state.dirty) save();
  });
  window.addEventListener("online", () => {
    if (state.dirty) save();
  });
  window.addEventListener("beforeunload", (event) => {
    if (!state.submitting && (state.dirty || state.inFlight)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // The plain submit (explicit choices: who can read it, final): wait for a save under way,
  // so the version sent is the latest; the kept copy goes once the entry's page is shown.
  form.addEventListener("submit", async (event) => {
    if (state.submitting) return;
    clearTimeout(state.timer);
    clearTimeout(state.retryTimer);
    if (state.inFlight) {
      event.preventDefault();
      // No autosave starts from here on: one started when this save ends (for text typed
      // meanwhile) would race the submit on the same version, making a false conflict.
      // The submit carries everything the form holds.
      state.submitting = true;
      say("Finishing the last save…");
      try {
        await state.inFlight;
      } catch {
        // the plain submit still goes
      }
      sessionStorage.setItem(SUBMITTED_KEY, storeKey(state.id));
      form.requestSubmit(event.submitter || undefined);
      return;
    }
    state.submitting = true;
    sessionStorage.setItem(SUBMITTED_KEY, storeKey(state.id));
  });

  if (status && !state.paused && !status.textContent) {
    say(state.id ? "Changes are saved as you type." : "Saved as you type once it has a title.");
  }
}

// "10:42" in the person's time zone (from their profile, on the page).
function clockFormatter(zone) {
  let format;
  try {
    format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone || undefined });
  } catch {
    format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  return (iso) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? "" : format.format(date);
  };
}
