// The thread page, live: new, edited and removed posts appear without a reload; typing and
// presence; posting without a reload; a draft kept in the browser until the server confirms;
// @mention autocomplete. The page works without this file (plain forms).
//
// Uses the tab's single RealtimeClient (static/js/app.js). Catch-up is by post id: every
// (re)subscribe sends the highest id on the page, the server replays what came after, and
// posts are de-duplicated by id, so a dropped connection loses nothing and shows nothing twice.

const TYPING_SEND_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const READ_EVERY_MS = 2000;

const list = document.getElementById("posts");
const form = document.getElementById("composer");

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

function newUuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Times are shown as the server shows them: "28 Nov 2026, 12:26" in the person's own
// time zone (from their profile, carried on the post list), whatever the browser's locale.
const postList = document.getElementById("posts");
const viewerZone = (postList && postList.dataset.timeZone) || undefined;
let timeFormat;
try {
  timeFormat = new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: viewerZone,
  });
} catch {
  timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}

if (list) {
  const threadId = Number(list.dataset.thread);
  const userId = Number(list.dataset.userId);
  const threadUrl = window.location.pathname.replace(/[^/]*$/, "");
  const profileUrl = (id) => (list.dataset.profileUrl || "/people/0/").replace(/0\/$/, `${id}/`);
  const canPost = Boolean(form);
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

  function placeholder(post) {
    return el(
      "p",
      { class: "post__placeholder meta" },
      post.hidden ? "This post was hidden by a facilitator." : "This post was deleted by its author.",
    );
  }

  function buildPost(post) {
    const removed = post.deleted || post.hidden;
    const li = el("li", {
      id: `post-${post.id}`,
      class: `post post--new${removed ? " post--removed" : ""}`,
      "data-post-id": String(post.id),
    });
    const article = el("article", { "aria-labelledby": `post-${post.id}-by` });
    const head = el("header", { class: "post__head" });
    const author = el("span", { id: `post-${post.id}-by`, class: "post__author" });
    author.append(el("a", { href: profileUrl(post.author.id) }, post.author.name));
    const when = el("a", { class: "post__time meta", href: `#post-${post.id}` });
    when.append(el("time", { datetime: post.created_at }, formatTime(post.created_at)));
    head.append(author, " ", when);
    if (post.edited_at) {
      const edited = el(
        "a",
        { class: "post__edited meta", href: `${threadUrl}posts/${post.id}/history/` },
        "edited",
      );
      edited.append(el("span", { class: "visually-hidden" }, " (see the history)"));
      head.append(" ", edited);
    }
    article.append(head);
    if (removed) {
      article.append(placeholder(post));
    } else {
      const body = el("div", { class: "post__body prose" });
      // body_html is sanitised by the server (Markdown through nh3); it is the only field
      // ever inserted as HTML. Everything else goes in as text.
      body.innerHTML = post.body_html;
      article.append(body);
      const actions = el("div", { class: "post__actions" });
      if (canPost) {
        actions.append(
          el("a", { href: `?reply_to=${post.id}#composer`, class: "post__reply" }, "Reply"),
          el("a", { href: `?reply_to=${post.id}&quote=1#composer`, class: "post__quote" }, "Quote"),
        );
      }
      if (post.author.id === userId && canPost) {
        actions.append(el("a", { href: `${threadUrl}posts/${post.id}/edit/` }, "Edit"));
      }
      const tools = liveTools(post);
      if (tools.reactions) article.append(tools.reactions);
      for (const form of tools.forms) actions.append(" ", form);
      if (actions.childNodes.length) article.append(actions);
    }
    li.append(article);
    return li;
  }

  // Reaction picker and delete/hide forms for a post that arrived live, cloned from the
  // server-rendered <template> (CSRF token included) with this post's id in the URLs.
  const toolsTemplate = document.getElementById("live-post-tools");

  function liveTools(post) {
    const result = { reactions: null, forms: [] };
    if (!toolsTemplate) return result;
    const copy = toolsTemplate.content.cloneNode(true);
    for (const form of copy.querySelectorAll("form")) {
      form.action = form.getAttribute("action").replace(/\/posts\/0\//, `/posts/${post.id}/`);
    }
    result.reactions = copy.querySelector(".post__reactions");
    const mine = post.author.id === userId;
    for (const form of copy.querySelectorAll("form[data-for]")) {
      if ((form.dataset.for === "author") === mine) result.forms.push(form);
    }
    return result;
  }

  function insertInOrder(node, id) {
    const after = Array.from(list.children).find((li) => Number(li.dataset.postId) > id);
    list.insertBefore(node, after || null);
  }

  function addPost(post) {
    if (!post || post.thread !== threadId) return;
    noteSeen(post.id);
    if (document.getElementById(`post-${post.id}`)) return; // de-duplicate by id
    insertInOrder(buildPost(post), post.id);
    scheduleRead();
  }

  function updatePost(post) {
    if (!post || post.thread !== threadId) return;
    const old = document.getElementById(`post-${post.id}`);
    const fresh = buildPost(post);
    fresh.classList.remove("post--new");
    if (!old) {
      insertInOrder(fresh, post.id);
      return;
    }
    // Keep the server-rendered reaction buttons and moderation forms of a visible post.
    const reactions = old.querySelector(".post__reactions");
    const oldActions = old.querySelector(".post__actions");
    const removed = post.deleted || post.hidden;
    if (!removed && reactions) fresh.querySelector(".post__body").after(reactions);
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
    article.replaceChildren(head, placeholder({ hidden: false, deleted: true }));
    article.lastChild.textContent = "This post was removed.";
    old.classList.add("post--removed");
  }

  function updateReactions(postId, counts) {
    const post = document.getElementById(`post-${postId}`);
    if (!post) return;
    for (const [kind, count] of Object.entries(counts || {})) {
      const button = post.querySelector(`.reaction[data-kind="${CSS.escape(kind)}"]`);
      if (!button) continue;
      button.querySelector(".reaction__count").textContent = String(count);
      button.classList.toggle("reaction--zero", count === 0);
      // A reaction in the picker that someone else just used: show it with the others.
      const picker = button.closest(".reaction-picker");
      if (picker && count > 0) {
        button.querySelector(".reaction__count").textContent = String(count);
        picker.before(button.closest("form"));
      }
    }
  }

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
    const names = Array.from(typers.keys());
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    // Only touch the live region when the sentence changes, so it is not re-announced.
    if (typingLine.textContent !== text) typingLine.textContent = text;
  }

  function someoneTyping(user) {
    if (!user || user.id === userId) return;
    clearTimeout(typers.get(user.name));
    typers.set(
      user.name,
      setTimeout(() => {
        typers.delete(user.name);
        showTypers();
      }, TYPING_SHOWN_MS),
    );
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
    const draftKey = `commonplace:draft:thread:${threadId}`;
    let sending = false;
    let lastTypingSent = 0;

    const storage = (() => {
      try {
        const probe = "commonplace:probe";
        window.localStorage.setItem(probe, "1");
        window.localStorage.removeItem(probe);
        return window.localStorage;
      } catch {
        return null;
      }
    })();

    function saveDraft() {
      if (!storage) return;
      if (!textarea.value.trim()) {
        storage.removeItem(draftKey);
        return;
      }
      storage.setItem(
        draftKey,
        JSON.stringify({
          body: textarea.value,
          client_id: clientIdInput.value,
          reply_to: replyInput ? replyInput.value : "",
          saved_at: Date.now(),
        }),
      );
    }

    function restoreDraft() {
      if (!storage) return;
      let draft = null;
      try {
        draft = JSON.parse(storage.getItem(draftKey) || "null");
      } catch {
        draft = null;
      }
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

    function confirmed(post, nextClientId) {
      addPost(post);
      textarea.value = "";
      if (storage) storage.removeItem(draftKey);
      clientIdInput.value = nextClientId || newUuid();
      if (replyInput) replyInput.value = "";
      const replying = form.querySelector(".composer__replying");
      if (replying) replying.remove();
      showError("");
      notice("Posted.");
    }

    async function errorText(response) {
      try {
        const data = await response.json();
        if (data.detail) return String(data.detail);
        const errors = data.errors || data;
        const first = Object.values(errors).flat()[0];
        if (first) return typeof first === "string" ? first : first.message || String(first);
      } catch {
        /* not JSON */
      }
      return `The post could not be saved (${response.status}). Your text is kept; try again.`;
    }

    async function send() {
      const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
      const apiUrl = form.dataset.apiUrl;
      if (apiUrl) {
        const payload = { body: textarea.value, client_id: clientIdInput.value };
        if (replyInput && replyInput.value) payload.reply_to = Number(replyInput.value);
        const response = await fetch(apiUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify(payload),
        });
        if (response.status !== 404 && response.status !== 405) return response;
      }
      return fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers,
        body: new FormData(form),
      });
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
        const response = await send();
        if (response.ok) {
          const data = await response.json();
          confirmed(data.post || data, data.next_client_id);
        } else {
          showError(await errorText(response));
          notice("");
        }
      } catch {
        showError("Could not reach the server. Your text is kept here; post again when you are back online.");
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
