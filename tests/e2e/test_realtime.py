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
        # Nothing is sent: a frame still in flight when the server closes can make the
        # kernel reset the connection and the browser report 1006 instead of the close code.
        result = self.open_socket(page, [], 1)
        assert result == {"got": [], "code": 4401}, result


class TestRealtimeClient(browser.BrowserTestCase):
    """static/js/realtime.js as signed-in pages use it: one socket per tab, visible state."""

    def wait_for_state(self, page: Any, state: str, timeout: int = 15000) -> None:
        page.wait_for_function(
            "(state) => document.body.dataset.connection === state", arg=state, timeout=timeout
        )

    def test_page_reconnects_after_a_dropped_socket_and_shows_it(self) -> None:
        self.make_user("tab@example.org", name="Tab User")
        page = self.new_page()
        self.sign_in(page, "tab@example.org")
        page.goto(self.url("/dashboard/"))
        self.wait_for_state(page, "open")
        status = page.locator("#connection-status")
        assert status.is_hidden()
        # Drop the socket the way a network blip would (an abnormal, non-final close).
        page.evaluate("() => window.commonplace.realtime.socket.close(4000)")
        self.wait_for_state(page, "reconnecting", timeout=3000)
        assert status.is_visible()
        assert "Reconnecting" in status.inner_text()
        self.wait_for_state(page, "open")
        assert status.is_hidden()
        pong = page.evaluate(
            """() => new Promise((resolve) => {
                 const client = window.commonplace.realtime;
                 client.addEventListener("pong", () => resolve(true), { once: true });
                 client.send({ type: "ping" });
                 setTimeout(() => resolve(false), 3000);
               })"""
        )
        assert pong is True

    def test_signing_out_in_one_tab_ends_the_live_connection_in_the_others(self) -> None:
        self.make_user("twotabs@example.org", name="Two Tabs")
        first = self.new_page()
        self.sign_in(first, "twotabs@example.org")
        first.goto(self.url("/dashboard/"))
        self.wait_for_state(first, "open")
        second = first.context.new_page()
        second.goto(self.url("/accounts/profile/"))
        self.wait_for_state(second, "open")
        second.get_by_role("button", name="Sign out").click()
        second.wait_for_load_state()
        self.wait_for_state(first, "signed-out", timeout=5000)
        assert "signed out" in first.locator("#connection-status").inner_text()
