"""The /ws/ socket as a real browser opens it: same origin, session cookie, strict CSP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import browser

pytestmark = pytest.mark.e2e

# Opens a socket from the page itself (so CSP connect-src and the session cookie apply),
# sends the given frames once open and resolves with what came back and how it closed.
SOCKET_SCRIPT = """
([url, frames, expectReplies]) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  const got = [];
  const done = (code) => { clearTimeout(timer); resolve({got, code}); };
  const timer = setTimeout(
    () => reject(new Error("no answer in 5 s, got " + JSON.stringify(got))), 5000
  );
  ws.onopen = () => frames.forEach((f) => ws.send(JSON.stringify(f)));
  ws.onmessage = (e) => {
    got.push(JSON.parse(e.data));
    if (got.length >= expectReplies) { ws.onclose = null; ws.close(1000); done(null); }
  };
  ws.onclose = (e) => done(e.code);
})
"""


class TestRealtimeSocket(browser.BrowserTestCase):
    def open_socket(self, page: Any, frames: list[dict[str, Any]], replies: int) -> Any:
        return page.evaluate(SOCKET_SCRIPT, [self.live_server_ws_url + "/ws/", frames, replies])

    def test_signed_in_browser_gets_pong_for_ping(self) -> None:
        self.make_user("socket@example.org", name="Sol Socket")
        page = self.new_page()
        self.sign_in(page, "socket@example.org")
        result = self.open_socket(page, [{"type": "ping"}, {"type": "nonsense"}], 2)
        assert result["code"] is None, f"the server closed the socket: {result}"
        assert result["got"][0] == {"type": "pong"}, result
        assert result["got"][1]["type"] == "error", result
        assert result["got"][1]["code"] == "bad_request", result

    def test_anonymous_browser_socket_is_closed_with_4401(self) -> None:
        page = self.new_page()
        page.goto(self.url("/"))
        result = self.open_socket(page, [{"type": "ping"}], 1)
        assert result == {"got": [], "code": 4401}, result
