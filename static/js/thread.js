// The thread page, live: new, edited and removed posts appear without a reload; typing and
// presence; posting without a reload; a draft kept in the browser until the server confirms;
// @mention autocomplete. The page works without this file (plain forms).
//
// Uses the tab's single RealtimeClient (static/js/app.js). Catch-up is by post id: every
// (re)subscribe sends the highest id on the page, the server replays what came after, and
// posts are de-duplicated by id, so a dropped connection loses nothing and shows nothing twice.

import {
  ApiError,
  apiFetch,
  csrfToken,
  DraftStore,
  el,
  fromServerHtml,
  localiseTimes,
  newUuid,
  timeFormatter,
} from "./page.js";

const TYPING_SEND_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const READ_EVERY_MS = 2000;

const list = document.getElementById("posts");
const form = document.getElementById("composer");

// Times in the person's own time zone (from their profile, carried on the post list).
const formatTime = timeFormatter(list && list.dataset.timeZone);

if (list) {
  const threadId = Number(list.dataset.thread);
  const userId = Number(list.dataset.userId);
  const threadUrl = window.location.pathname.replace(/[^/]*$/, "");
  // Who is looking, as the page was rendered for them: what a live post may offer them.
  const viewer = {
    canPost: list.dataset.canPost === "1",
    member: list.dataset.member === "1",
    moderator: list.dataset.moderator === "1",
  };
  let lastSeenId = 0;

  function postIds() {
    return Array.from(list.children, (li) => Number(li.dataset.postId) || 0);
  }

  function noteSeen(id) {
    if (id > lastSeenId) lastSeenId = id;
  }

  for (const id of postIds()) noteSeen(id);
  noteSeen(Number(list.dataset.lastPost) || 0);

  // --- Rendering ----------------------------------------------------------------------------

  // A live post is the server's partial (the `html` of the event or the API's answer),
  // rendered once for everyone: here it gets what this viewer may use (the controls marked
  // data-for), the CSRF token in its forms, and its times in the viewer's zone.
  function forViewer(post) {
    const node = fromServerHtml(post.html).firstElementChild;
    if (!node) return null;
    const mine = Number(node.dataset.authorId) === userId;
    const allowed = {
      poster: viewer.canPost,
      member: viewer.member,
      author: viewer.member && mine,
      moderator: viewer.moderator && !mine,
    };
    for (const control of node.querySelectorAll("[data-for]")) {
      if (!allowed[control.dataset.for]) control.remove();
    }
    if (!viewer.member) {
      // Reactions others made are shown, not offered as buttons.
      for (const reaction of node.querySelectorAll(".reaction-form")) {
        const button = reaction.querySelector("button");
        const shown = el("span", { class: "reaction", "data-kind": button.dataset.kind });
        shown.append(...button.childNodes);
        reaction.replaceWith(shown);
      }
    }
    for (const action of node.querySelectorAll('form[method="post"]')) {
      action.append(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken() }));
    }
    localiseTimes(node, formatTime);
    const actions = node.querySelector(".post__actions");
    if (actions && !actions.querySelector("a, form")) actions.remove();
    return node;
  }

  function insertInOrder(node, id) {
    const after = Array.from(list.children).find((li) => Number(li.dataset.postId) > id);
    list.insertBefore(node, after || null);
  }

  function addPost(post) {
    if (!post || post.thread !== threadId) return;
    if (post.author) stoppedTyping(post.author.id);
    noteSeen(post.id);
    if (document.getElementById(`post-${post.id}`)) return; // de-duplicate by id
    const node = forViewer(post);
    if (!node) return;
    node.classList.add("post--new");
    insertInOrder(node, post.id);
    scheduleRead();
  }

  function updatePost(post) {
    if (!post || post.thread !== threadId) return;
    const old = document.getElementById(`post-${post.id}`);
    const fresh = forViewer(post);
    if (!fresh) return;
    if (!old) {
      insertInOrder(fresh, post.id);
      return;
    }
    // The fresh post's reactions (its counts are the newest), with this viewer's own marked
    // as they were: one set of chips and one "React", never the old and the new side by side.
    // The forms the page rendered for this viewer on a visible post are kept.
    const oldActions = old.querySelector(".post__actions");
    const removed = post.deleted || post.hidden;
    if (!removed) arrangeReactions(fresh, null, myReactions(old));
    if (!removed && oldActions) {
      const newActions = fresh.querySelector(".post__actions");
      if (newActions) newActions.replaceWith(oldActions);
      else fresh.querySelector("article").append(oldActions);
    }
    old.replaceWith(fresh);
  }

  function removePost(postId) {
    const old = document.getElementById(`post-${postId}`);
    if (!old) return;
    const article = old.querySelector("article");
    const head = article.querySelector(".post__head");
    article.replaceChildren(head, el("p", { class: "post__placeholder meta" }, "This post was removed."));
    old.classList.add("post--removed");
  }

  // --- Reactions ----------------------------------------------------------------------------
  // A chip is a reaction someone used: its count shows, and a screen reader and the tooltip
  // hear "Thumbs up, 2 people, including you" (the words discussions/selectors.py writes).
  // An unused reaction waits in the "React" picker with its name shown.

  function describe(label, count, mine) {
    if (count <= 0) return label;
    if (mine && count === 1) return `${label}, you`;
    const people = count === 1 ? "1 person" : `${count} people`;
    return mine ? `${label}, ${people}, including you` : `${label}, ${people}`;
  }

  function myReactions(node) {
    return new Set(Array.from(node.querySelectorAll('button.reaction[aria-pressed="true"]'), (b) => b.dataset.kind));
  }

  // Show ``counts`` (kind → number; null keeps the counts shown) and ``mine`` (a Set of
  // kinds; null keeps what is marked) on one post.
  function arrangeReactions(node, counts, mine) {
    const box = node.querySelector(".post__reactions");
    if (!box) return;
    const picker = box.querySelector(".reaction-picker");
    const options = picker && picker.querySelector(".reaction-picker__options");
    for (const chip of box.querySelectorAll(".reaction")) {
      const kind = chip.dataset.kind;
      const countNode = chip.querySelector(".reaction__count");
      const labelNode = chip.querySelector(".reaction__label");
      const label = chip.dataset.label || (labelNode ? labelNode.textContent : kind);
      let count = Number(countNode.textContent) || 0;
      if (counts && kind in counts) count = Number(counts[kind]) || 0;
      const isMine = mine ? mine.has(kind) : chip.getAttribute("aria-pressed") === "true";
      const used = count > 0 || isMine;
      if (chip.tagName === "BUTTON") {
        chip.setAttribute("aria-pressed", isMine ? "true" : "false");
        chip.classList.toggle("reaction--mine", isMine);
      } else if (!used) {
        chip.remove(); // a reader's chip that nobody uses any more
        continue;
      }
      chip.title = describe(label, count, isMine);
      countNode.textContent = used ? String(count) : "";
      if (labelNode) {
        labelNode.textContent = used ? describe(label, count, isMine) : label;
        labelNode.classList.toggle("visually-hidden", used);
      }
      const form = chip.closest("form");
      if (!form || !picker) continue;
      const inPicker = picker.contains(form);
      if (used && inPicker) picker.before(form);
      else if (!used && !inPicker && options) options.append(form);
    }
  }

  function updateReactions(postId, counts) {
    const post = document.getElementById(`post-${postId}`);
    if (post) arrangeReactions(post, counts || {}, null);
  }

  // Reacting without a reload: the same form, posted with fetch; the answer carries the
  // counts and this viewer's own reactions. Without JavaScript the form posts as usual.
  list.addEventListener("submit", async (event) => {
    const reactionForm = event.target.closest(".reaction-form");
    if (!reactionForm) return;
    event.preventDefault();
    const button = reactionForm.querySelector("button");
    const postNode = reactionForm.closest("li.post");
    button.disabled = true;
    try {
      const response = await fetch(reactionForm.action, {
        method: "POST",
        body: new FormData(reactionForm),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      let data = null;
      try {
        data = await response.json();
      } catch {
        data = null;
      }
      if (!response.ok) throw new ApiError(response.status, data);
      const picker = reactionForm.closest(".reaction-picker");
      if (picker) picker.open = false;
      arrangeReactions(postNode, data.counts || {}, new Set(data.mine || []));
      button.focus();
    } catch (error) {
      notice(error instanceof ApiError ? error.message : "Could not reach the server. Try again.");
    } finally {
      button.disabled = false;
    }
  });

  // --- Marking read: once the page is shown, and as posts arrive while it is looked at -------
  // Opening the page reads nothing on the server (a GET must not change state); this POST
  // does, as the page's "Mark as read" button does without JavaScript.

  const markReadForm = document.getElementById("mark-read");
  let readTimer = null;
  let readUpTo = list.dataset.unread === "1" ? 0 : lastSeenId;

  function sendRead() {
    readTimer = null;
    if (document.visibilityState !== "visible" || lastSeenId <= readUpTo) return;
    const upTo = lastSeenId;
    readUpTo = upTo;
    const data = new FormData();
    data.append("up_to", String(upTo));
    fetch(`${threadUrl}read/`, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        if (markReadForm) markReadForm.remove();
      })
      .catch(() => {
        if (readUpTo === upTo) readUpTo = 0; // try again with the next post or visit
      });
  }

  function scheduleRead(delay = READ_EVERY_MS) {
    if (document.visibilityState !== "visible" || readTimer) return;
    readTimer = setTimeout(sendRead, delay);
  }
  document.addEventListener("visibilitychange", () => scheduleRead(0));
  scheduleRead(0);

  // --- Typing and presence --------------------------------------------------------------------

  const typingLine = document.getElementById("typing");
  const presenceLine = document.getElementById("presence");
  const typers = new Map();

  function showTypers() {
    if (!typingLine) return;
    const names = Array.from(typers.values(), (t) => t.name);
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    // Only touch the live region when the sentence changes, so it is not re-announced.
    if (typingLine.textContent !== text) typingLine.textContent = text;
  }

  function someoneTyping(user) {
    if (!user || user.id === userId) return;
    const known = typers.get(user.id);
    if (known) clearTimeout(known.timer);
    typers.set(user.id, {
      name: user.name,
      timer: setTimeout(() => stoppedTyping(user.id), TYPING_SHOWN_MS),
    });
    showTypers();
  }

  // Their post arrived: they are no longer typing it.
  function stoppedTyping(id) {
    const known = typers.get(id);
    if (!known) return;
    clearTimeout(known.timer);
    typers.delete(id);
    showTypers();
  }

  function showPresence(users) {
    if (!presenceLine) return;
    const others = (users || []).filter((u) => u.id !== userId).map((u) => u.name);
    presenceLine.textContent = others.length ? `Viewing now: ${others.join(", ")}` : "";
    presenceLine.hidden = others.length === 0;
  }

  // --- The socket -----------------------------------------------------------------------------

  let client = null;
  // Readers who cannot post have no composer: their notices go in a line under the posts.
  const notice = (text) => {
    let status = document.getElementById("composer-status") || document.getElementById("live-status");
    if (!status && text) {
      status = el("p", { id: "live-status", class: "meta", role: "status" });
      list.after(status);
    }
    if (status) status.textContent = text;
  };

  function attach(realtime) {
    if (client) return;
    client = realtime;
    client.addEventListener("post.created", (e) => addPost(e.detail.post));
    client.addEventListener("post.updated", (e) => updatePost(e.detail.post));
    client.addEventListener("post.deleted", (e) => {
      if (e.detail.thread === threadId) removePost(e.detail.post_id);
    });
    client.addEventListener("post.reactions", (e) => {
      if (e.detail.thread === threadId) updateReactions(e.detail.post_id, e.detail.counts);
    });
    client.addEventListener("typing", (e) => {
      if (e.detail.thread === threadId) someoneTyping(e.detail.user);
    });
    client.addEventListener("presence", (e) => {
      if (e.detail.thread === threadId) showPresence(e.detail.users);
    });
    client.addEventListener("subscribed", (e) => {
      if (e.detail.thread !== threadId) return;
      list.dataset.live = "on";
      if (e.detail.truncated || e.detail.last_post_id > lastSeenId) {
        // More was missed than one replay carries (the server sends at most 500 and says
        // "truncated"): say so rather than show a gap.
        notice("There are more new posts than could be shown live. Reload to see them all.");
      }
    });
    client.addEventListener("error", (e) => {
      if (e.detail && e.detail.code === "forbidden" && (!e.detail.thread || e.detail.thread === threadId)) {
        list.dataset.live = "off";
        notice("Live updates stopped: you can no longer follow this thread.");
      }
    });
    client.addEventListener("state", (e) => {
      if (e.detail.state !== "open") list.dataset.live = "off";
    });
    // Earlier pages of a long thread stay still: live posts belong on the latest page.
    if (list.dataset.livePage === "0") return;
    // Runs now if open and again after every reconnect, with the newest id seen by then.
    client.onOpen((c) => c.send({ type: "subscribe", thread: threadId, after: lastSeenId }));
  }

  if (window.commonplace && window.commonplace.realtime) attach(window.commonplace.realtime);
  else document.addEventListener("commonplace:realtime", (e) => attach(e.detail), { once: true });

  // --- The composer ---------------------------------------------------------------------------

  if (form) {
    const textarea = form.querySelector("textarea[name=body]");
    const clientIdInput = form.querySelector("input[name=client_id]");
    const replyInput = form.querySelector("input[name=reply_to]");
    const errorBox = document.getElementById("composer-error");
    const submitButton = form.querySelector("button[type=submit]");
    // Kept in the browser until the server confirms the post.
    const drafts = new DraftStore(`commonplace:draft:thread:${threadId}`);
    let sending = false;
    let lastTypingSent = 0;

    function saveDraft() {
      if (!textarea.value.trim()) {
        drafts.clear();
        return;
      }
      drafts.save({
        body: textarea.value,
        client_id: clientIdInput.value,
        reply_to: replyInput ? replyInput.value : "",
      });
    }

    function restoreDraft() {
      const draft = drafts.load();
      if (!draft || !draft.body) return;
      // The server's text wins when it re-rendered the form with an error or a quote.
      if (textarea.value.trim() && textarea.value.trim() !== draft.body.trim()) return;
      textarea.value = draft.body;
      // The same client_id as the first attempt: if that one reached the server after all,
      // submitting again returns it instead of posting twice.
      if (draft.client_id) clientIdInput.value = draft.client_id;
      if (replyInput && draft.reply_to && !replyInput.value) replyInput.value = draft.reply_to;
      notice("Your unsent draft is restored.");
    }

    function showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
    }

    function confirmed(post) {
      addPost(post);
      textarea.value = "";
      drafts.clear();
      clientIdInput.value = newUuid();
      if (replyInput) replyInput.value = "";
      const replying = form.querySelector(".composer__replying");
      if (replying) replying.remove();
      showError("");
      notice("Posted.");
      // Focus follows the post: the new post, not the top of the page or an emptied box.
      const posted = document.getElementById(`post-${post.id}`);
      if (posted) posted.focus();
    }

    // The one way this page writes a post: the REST API (POST /api/v1/threads/{id}/posts/),
    // idempotent by client_id. Without JavaScript the form posts to the page instead.
    function send() {
      const payload = { body: textarea.value, client_id: clientIdInput.value };
      if (replyInput && replyInput.value) payload.reply_to = Number(replyInput.value);
      return apiFetch(form.dataset.apiUrl, { method: "POST", body: payload });
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (sending) return;
      if (!textarea.value.trim()) {
        showError("Write something before posting.");
        textarea.focus();
        return;
      }
      sending = true;
      saveDraft();
      form.classList.add("composer--sending");
      submitButton.disabled = true;
      notice("Posting…");
      try {
        const post = await send();
        if (!post || !post.html) throw new TypeError("no post in the answer");
        confirmed(post);
      } catch (error) {
        if (error instanceof ApiError) {
          showError(`${error.message} Your text is kept here.`);
        } else {
          showError("Could not reach the server. Your text is kept here; post again when you are back online.");
        }
        notice("");
      } finally {
        sending = false;
        form.classList.remove("composer--sending");
        submitButton.disabled = false;
      }
    });

    textarea.addEventListener("input", () => {
      saveDraft();
      const now = Date.now();
      if (client && now - lastTypingSent > TYPING_SEND_EVERY_MS) {
        lastTypingSent = now;
        client.send({ type: "typing", thread: threadId });
      }
    });

    // --- Reply and Quote in place: the reply box, focused, without a reload ----------------
    // Without JavaScript the links open the page with ?reply_to= (and &quote=1).

    // The quote is the server's (the page the no-JS link opens, read, not shown): the same
    // text, the same length limit, for any post the viewer can see.
    async function quoteFrom(href) {
      const response = await fetch(href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const quoted = doc.querySelector("#composer textarea[name=body]");
      if (!quoted || !quoted.value.trim()) throw new Error("no quote");
      return quoted.value;
    }

    function replyingTo(postId, name) {
      if (replyInput) replyInput.value = String(postId);
      let line = form.querySelector(".composer__replying");
      if (line) line.remove();
      line = el("p", { class: "composer__replying meta" }, "Replying to ");
      const cancel = el("button", { type: "button", class: "link-button" }, "cancel");
      cancel.setAttribute("aria-label", `Cancel the reply to ${name}`);
      cancel.addEventListener("click", () => {
        if (replyInput) replyInput.value = "";
        line.remove();
        saveDraft();
        textarea.focus();
      });
      line.append(el("a", { href: `#post-${postId}` }, name), " · ", cancel);
      textarea.closest(".field").before(line);
    }

    function putCaretAtEnd() {
      const end = textarea.value.length;
      textarea.focus();
      textarea.setSelectionRange(end, end);
      textarea.scrollIntoView({ block: "center" });
    }

    list.addEventListener("click", async (event) => {
      const link = event.target.closest("a.post__reply, a.post__quote");
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const item = link.closest("li.post");
      const postId = Number(item && item.dataset.postId);
      if (!postId) return;
      event.preventDefault();
      const author = item.querySelector(".post__author");
      replyingTo(postId, author ? author.textContent.trim() : "this post");
      if (link.classList.contains("post__quote")) {
        try {
          const quote = await quoteFrom(link.href);
          const before = textarea.value.trimEnd();
          textarea.value = (before ? `${before}\n\n` : "") + quote;
        } catch {
          window.location.assign(link.href); // the page quotes it instead
          return;
        }
      }
      saveDraft();
      putCaretAtEnd();
    });

    // --- Preview: the server renders the Markdown (the same renderer and sanitiser as a
    // saved post); the page only inserts what the server sent.

    const previewUrl = form.dataset.previewUrl;
    if (previewUrl) {
      const field = textarea.closest(".field");
      const preview = el("div", { id: "composer-preview", class: "composer__preview prose", tabindex: "-1" });
      preview.setAttribute("aria-label", "Preview of your reply");
      preview.hidden = true;
      const toggle = el("button", { type: "button", class: "button--secondary", "aria-controls": preview.id }, "Preview");
      toggle.setAttribute("aria-pressed", "false");
      field.after(preview);
      submitButton.after(" ", toggle);

      const showEditor = () => {
        preview.hidden = true;
        preview.replaceChildren();
        field.hidden = false;
        toggle.textContent = "Preview";
        toggle.setAttribute("aria-pressed", "false");
      };

      toggle.addEventListener("click", async () => {
        if (!preview.hidden) {
          showEditor();
          textarea.focus();
          return;
        }
        const data = new FormData();
        data.append("body", textarea.value);
        try {
          const response = await fetch(previewUrl, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
          });
          const answer = await response.json().catch(() => null);
          if (!response.ok) throw new ApiError(response.status, answer);
          preview.replaceChildren(fromServerHtml(answer.html));
          if (!textarea.value.trim()) preview.append(el("p", { class: "meta" }, "Nothing to preview yet."));
          localiseTimes(preview, formatTime);
          preview.hidden = false;
          field.hidden = true;
          toggle.textContent = "Edit";
          toggle.setAttribute("aria-pressed", "true");
          showError("");
        } catch (error) {
          showError(error instanceof ApiError ? error.message : "Could not reach the server to preview.");
        }
      });
      // Posting from the preview posts the text; the box comes back for the next reply.
      form.addEventListener("submit", showEditor);
    }

    restoreDraft();
    setupMentions(form, textarea);
  }
}

// --- @mention autocomplete: a small listbox under the textarea --------------------------------

function setupMentions(form, textarea) {
  const url = form.dataset.mentionsUrl;
  if (!url) return;
  let people = null;
  let loading = null;
  let options = [];
  let active = -1;
  let range = null;

  const box = el("ul", { id: "mention-list", class: "mention-list", role: "listbox", "aria-label": "People to mention" });
  box.hidden = true;
  textarea.after(box);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", box.id);

  function load() {
    if (people) return Promise.resolve(people);
    if (!loading) {
      loading = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : { results: [] }))
        .then((data) => {
          people = data.results || [];
          return people;
        })
        .catch(() => {
          loading = null;
          return [];
        });
    }
    return loading;
  }

  function close() {
    box.hidden = true;
    box.replaceChildren();
    options = [];
    active = -1;
    range = null;
    textarea.removeAttribute("aria-expanded");
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index >= 0) {
      textarea.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  }

  function choose(index) {
    const option = options[index];
    if (!option || !range) return;
    const handle = option.dataset.handle;
    const before = textarea.value.slice(0, range.start);
    const after = textarea.value.slice(range.end);
    textarea.value = `${before}@${handle} ${after}`;
    const caret = before.length + handle.length + 2;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.dispatchEvent(new Event("input"));
    textarea.focus();
  }

  async function update() {
    const caret = textarea.selectionStart;
    const match = /(^|[^\w@/])@([a-z0-9_-]{0,62})$/i.exec(textarea.value.slice(0, caret));
    if (!match) {
      close();
      return;
    }
    const query = match[2].toLowerCase();
    const found = (await load())
      .filter((p) => p.handle.toLowerCase().startsWith(query) || p.name.toLowerCase().startsWith(query))
      .slice(0, 8);
    if (!found.length) {
      close();
      return;
    }
    range = { start: caret - query.length - 1, end: caret };
    options = found.map((person, i) => {
      const option = el("li", { id: `mention-option-${i}`, role: "option", "data-handle": person.handle });
      option.append(el("span", {}, person.name), " ", el("span", { class: "meta" }, `@${person.handle}`));
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep focus in the textarea
        choose(i);
      });
      return option;
    });
    box.replaceChildren(...options);
    box.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  textarea.addEventListener("input", (event) => {
    if (event.isTrusted) update();
  });
  textarea.addEventListener("keydown", (event) => {
    if (box.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active - 1 + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  textarea.addEventListener("blur", () => setTimeout(close, 100));
}
