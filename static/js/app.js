// Progressive enhancement for signed-in pages: one live socket per tab and a visible
// connection state. Every page works without this file.
import { RealtimeClient } from "./realtime.js";

const statusLabels = {
  connecting: "",
  open: "",
  reconnecting: "Connection lost. Reconnecting…",
  "signed-out": "You have been signed out. Reload the page to sign in again.",
  closed: "",
};

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
  window.commonplace = Object.assign(window.commonplace || {}, { realtime: client });
  client.connect();
  document.dispatchEvent(new CustomEvent("commonplace:realtime", { detail: client }));
}

start();
