// Progressive enhancement for signed-in pages: one live socket per tab and a visible
// connection state. Every page works without this file.
import { RealtimeClient } from "./realtime.js";

const statusLabels = {
  connecting: "",
  open: "",
  reconnecting: "Connection lost. Reconnecting…",
  "signed-out": "You have been signed out. Reload the page to sign in again.",
  "too-many": "Live updates stopped: too many tabs are open. Reload the page to resume them here.",
  closed: "",
};

// The unread count in the header, kept live: a notification arriving raises it, and a read
// or unread change (in any tab) sends the new count, which replaces it.
function setNotificationCount(count) {
  const link = document.getElementById("notifications-link");
  if (!link) return;
  let badge = document.getElementById("notifications-count");
  if (count <= 0) {
    if (badge) badge.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement("span");
    badge.id = "notifications-count";
    badge.className = "badge";
    badge.append(document.createTextNode("0"));
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " unread";
    badge.append(hidden);
    link.append(" ", badge);
  }
  badge.firstChild.textContent = String(count);
}

function notificationCount() {
  const badge = document.getElementById("notifications-count");
  return badge ? parseInt(badge.firstChild.textContent, 10) || 0 : 0;
}

function start() {
  if (document.body.dataset.realtime !== "on" || !("WebSocket" in window)) return;
  const client = new RealtimeClient();
  const status = document.getElementById("connection-status");
  client.addEventListener("state", (event) => {
    document.body.dataset.connection = event.detail.state;
    if (!status) return;
    const text = statusLabels[event.detail.state] || "";
    status.textContent = text;
    status.hidden = text === "";
  });
  client.addEventListener("notification", () => setNotificationCount(notificationCount() + 1));
  client.addEventListener("notifications.count", (event) => {
    const count = Number(event.detail.unread);
    if (Number.isInteger(count)) setNotificationCount(count);
  });
  // Removed from (or left) a cohort in another tab or by a facilitator: this page's cohort
  // content is no longer yours to see, so say so at once.
  client.addEventListener("membership.ended", (event) => {
    const slug = event.detail.cohort;
    if (status && window.location.pathname.startsWith(`/cohorts/${slug}/`)) {
      status.textContent = "You are no longer a member of this cohort.";
      status.hidden = false;
    }
  });
  window.commonplace = Object.assign(window.commonplace || {}, { realtime: client });
  client.connect();
  document.dispatchEvent(new CustomEvent("commonplace:realtime", { detail: client }));
}

start();
