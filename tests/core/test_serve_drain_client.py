"""The browser client's side of a graceful stop: static/js/realtime.js, run in Node against a
stand-in WebSocket, reconnects on 1012 after a delay spread over 0.5-3 s (so the tabs a
stopping server held do not all come back in the same instant), and still stops on 4401 and
4409 and waits at least 10 s on 4429."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CHECK = r"""
globalThis.window = { location: { protocol: "http:", host: "testserver" } };
globalThis.CustomEvent = class extends Event {
  constructor(type, init) { super(type); this.detail = init && init.detail; }
};
class StandInSocket extends EventTarget {
  static OPEN = 1;
  constructor() { super(); StandInSocket.last = this; this.readyState = 0; }
  send() {}
  close() {}
}
globalThis.WebSocket = StandInSocket;
const { RealtimeClient } = await import(process.argv[1]);

// Open a client, close its socket from the server with `code`; what did it decide?
function closedWith(code) {
  const client = new RealtimeClient("ws://testserver/ws/");
  let decision = null;
  client.addEventListener("state", (event) => { decision = event.detail; });
  client.connect();
  StandInSocket.last.readyState = 1;
  StandInSocket.last.dispatchEvent(new Event("open"));
  const close = new Event("close");
  close.code = code;
  StandInSocket.last.dispatchEvent(close);
  clearTimeout(client.retryTimer);
  clearInterval(client.pingTimer);
  return decision;
}

const restart = Array.from({ length: 400 }, () => closedWith(1012));
console.log(JSON.stringify({
  restart,
  signedOut: closedWith(4401),
  tooMany: closedWith(4409),
  flood: closedWith(4429),
  dropped: closedWith(1006),
}));
"""


def test_1012_reconnects_after_a_spread_out_delay_and_other_codes_keep_their_rules() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js to run the page script")
    script = Path(settings.BASE_DIR) / "static" / "js" / "realtime.js"
    result = subprocess.run(
        [node, "--input-type=module", "-e", CHECK, script.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr or result.stdout
    seen = json.loads(result.stdout)

    restart = seen["restart"]
    assert {d["state"] for d in restart} == {"reconnecting"}
    delays = [d["inMs"] for d in restart]
    assert min(delays) >= 500 and max(delays) <= 3000
    # Spread out, not bunched at one end: every half second of the window gets some.
    for low in range(500, 3000, 500):
        assert any(low <= d < low + 500 for d in delays), (low, sorted(delays))

    assert seen["signedOut"]["state"] == "signed-out"
    assert seen["tooMany"]["state"] == "too-many"
    assert seen["flood"] == {"state": "reconnecting", "inMs": 10000}
    assert seen["dropped"]["state"] == "reconnecting"
    assert 500 <= seen["dropped"]["inMs"] <= 1000
