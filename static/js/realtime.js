// The one WebSocket of a browser tab (see CONTRACT.md, "WebSocket").
// Reconnects with exponential back-off and jitter, keeps the connection alive with pings,
// and re-runs every registered "on open" hook after a reconnect so features can resubscribe
// and catch up by id. Server messages are dispatched as events named by their "type".
// Close codes: 4401 (not signed in) and 4409 (too many sockets for one person: this, the
// oldest, was closed) stop the client; 4001 (the login session changed) and every other code
// reconnect, 4429 (flood) after at least 10 s, and 1012 (the server is restarting: a deploy)
// after a random 0.5-3 s, so the many tabs that server held come back spread out over the
// processes still running rather than all in the same instant.

const CLOSE_RESTART = 1012;
const CLOSE_SIGNED_OUT = 4401;
const CLOSE_TOO_MANY = 4409;
const CLOSE_FLOOD = 4429;
const FLOOD_WAIT_MS = 10000;
const RESTART_SPREAD_MS = [500, 3000];
const PING_EVERY_MS = 25000;
const PONG_WITHIN_MS = 10000;

export class RealtimeClient extends EventTarget {
  constructor(url) {
    super();
    this.url = url || RealtimeClient.defaultUrl();
    this.socket = null;
    this.attempt = 0;
    this.state = "idle";
    this.openHooks = new Set();
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.stopped = false;
  }

  static defaultUrl() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${window.location.host}/ws/`;
  }

  setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, ...detail } }));
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.setState("open");
      this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
      for (const hook of this.openHooks) hook(this);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && message.type === "pong") clearTimeout(this.pongTimer);
      if (message && typeof message.type === "string") {
        this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) {
        this.setState("closed");
      } else if (event.code === CLOSE_SIGNED_OUT) {
        this.setState("signed-out");
      } else if (event.code === CLOSE_TOO_MANY) {
        // Reconnecting would close another tab's socket in turn: wait for a reload.
        this.setState("too-many");
      } else if (event.code === CLOSE_RESTART) {
        const [low, high] = RESTART_SPREAD_MS;
        this.scheduleRetry(low + Math.random() * (high - low));
      } else {
        this.scheduleRetry(event.code === CLOSE_FLOOD ? FLOOD_WAIT_MS : 0);
      }
    });
  }

  // A socket can look open after the network has gone (no close ever arrives): if a ping
  // gets no pong in time, give it up and reconnect, which also catches up what was missed.
  ping() {
    if (!this.send({ type: "ping" })) return;
    clearTimeout(this.pongTimer);
    const socket = this.socket;
    this.pongTimer = setTimeout(() => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.pingTimer);
      try {
        socket.close(4000);
      } catch {
        // already closing
      }
      this.scheduleRetry(0);
    }, PONG_WITHIN_MS);
  }

  // Wait at least `minimumMs`, and otherwise a back-off that doubles with every failed
  // attempt (up to 30 s), jittered over its upper half.
  scheduleRetry(minimumMs) {
    this.attempt += 1;
    const backoff = Math.min(30000, 500 * 2 ** Math.min(this.attempt, 6));
    const delay = Math.max(minimumMs, backoff / 2 + Math.random() * (backoff / 2));
    this.setState("reconnecting", { inMs: Math.round(delay) });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  // Run `hook(client)` now if open, and again after every reconnect.
  onOpen(hook) {
    this.openHooks.add(hook);
    if (this.state === "open") hook(this);
    return () => this.openHooks.delete(hook);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.socket) this.socket.close(1000);
  }
}
