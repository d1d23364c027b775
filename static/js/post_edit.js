// The edit page, enhanced: the edit is saved through the REST API (PATCH /api/v1/posts/{id}/
// with the version it started from). A stale version shows the post as it stands and the
// person's own text side by side, as the page does without JavaScript; nothing is overwritten
// and nothing typed is lost.
import { ApiError, apiFetch, el, localiseTimes, timeFormatter } from "./page.js";

const form = document.getElementById("post-edit");

function showError(text) {
  let box = form.querySelector(".alert--error");
  if (!box) {
    box = el("div", { class: "alert alert--error", role: "alert" });
    form.prepend(box);
  }
  box.replaceChildren(el("p", {}, text));
}

// The same section the server renders for a 409 (templates/discussions/post_edit.html).
function showConflict(current, yours) {
  const old = document.getElementById("stale-section");
  if (old) old.remove();
  const section = el("section", { id: "stale-section", class: "stale card", "aria-labelledby": "stale-h" });
  section.append(el("h2", { id: "stale-h" }, "This post changed while you were editing"));
  const intro = el("p", {}, `Nothing was overwritten. Here is the post as it stands now (version ${current.version})`);
  if (current.edited_at) {
    intro.append(", saved ", el("time", { datetime: current.edited_at }, current.edited_at));
  }
  intro.append(", and your text below. Merge what you want to keep, then save again.");
  const texts = el("div", { class: "stale__texts" });
  const side = (title, id, text) => {
    const box = el("div", { class: "stale__text" });
    box.append(el("h3", {}, title), el("pre", { class: "stale__pre", id }, text));
    return box;
  };
  texts.append(side("Current text", "stale-current", current.body), side("Your text", "stale-yours", yours));
  section.append(intro, texts);
  localiseTimes(section, timeFormatter(form.dataset.timeZone));
  form.before(section);
}

if (form && form.dataset.apiUrl) {
  const textarea = form.querySelector("textarea[name=body]");
  const version = form.querySelector("input[name=version]");
  const button = form.querySelector("button[type=submit]");
  let sending = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    sending = true;
    button.disabled = true;
    const body = textarea.value;
    try {
      await apiFetch(form.dataset.apiUrl, {
        method: "PATCH",
        body: { body, version: Number(version.value) },
      });
      window.location.assign(form.dataset.doneUrl);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.data.current) {
        // Base the next attempt on the version that stands now, so saving again is a
        // deliberate choice made with both texts in view.
        version.value = String(error.data.current.version);
        showConflict(error.data.current, body);
        button.textContent = "Save my text over the current version";
        showError(error.message);
      } else if (error instanceof ApiError) {
        showError(error.message);
      } else {
        showError("Could not reach the server. Your text is kept here; save again when you are back online.");
      }
    } finally {
      sending = false;
      button.disabled = false;
    }
  });
}
