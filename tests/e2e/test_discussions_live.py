"""Discussion threads live in Chromium: two members in one thread, a dropped connection, a
draft that must not be lost, the page without JavaScript, and a member removed mid-thread.

Only preconditions are made with services (accounts, an approved cohort with its members,
a thread with a first post); every step a member takes is a keystroke or a click in the real
thread page, served by daphne with the real socket.

How a dropped connection is simulated (checked in this Chromium): ``context.set_offline(True)``
alone does not close an open WebSocket (it stays ``OPEN``, no close event, no "reconnecting"),
and a ``close()`` called while offline does not finish its closing handshake until the context
is back online (no close event within 6 s). So the socket is cut
from the page first (``close(4000)``, an abnormal code, as a network blip would give), and the
context goes offline as soon as the page shows "reconnecting": every reconnect attempt then
fails at once until the context is back online.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff, seat

pytestmark = pytest.mark.e2e
T = TypeVar("T")

THREAD_TITLE = "What worked with your partners this week?"
FIRST_POST = "Share **one** thing that worked, and one that did not."
RECONNECT_TIMEOUT_MS = 20_000  # the back-off after a few failed attempts is 4-8 s

# A round trip on the page's own socket: once the pong is back, what the server sent before
# it has been handled too (used before asserting that something arrived *once*).
PING_ROUND_TRIP = """() => new Promise((resolve) => {
  const client = window.commonplace.realtime;
  const timer = setTimeout(() => resolve(false), 3000);
  client.addEventListener("pong", () => { clearTimeout(timer); resolve(true); }, { once: true });
  client.send({ type: "ping" });
})"""
POST_IDS = "els => els.map((li) => Number(li.dataset.postId))"


def off_the_loop(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call a service from a worker thread.

    Playwright's sync API keeps an event loop running on the test's main thread, where
    ``publish_on_commit``'s ``async_to_sync`` refuses to run: the service's own write would
    succeed but its realtime event would be dropped (logged, not raised). From a thread
    without a loop the event is published, as it is in a request.
    """

    def call() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def build_thread(case: browser.BrowserTestCase) -> dict[str, Any]:
    return off_the_loop(_build_thread, case)


def _build_thread(case: browser.BrowserTestCase) -> dict[str, Any]:
    """Fay facilitates an approved cohort where Ana and Ben are members; Fay started a thread."""
    from discussions import services as discussions

    import_framework()
    fay = case.make_user("fay@example.org", name="Fay Facilitator")
    rae = make_staff(case, "rae@example.org", "Rae Reviewer")
    ana = case.make_user("ana@example.org", name="Ana Author")
    ben = case.make_user("ben@example.org", name="Ben Reader")
    cohort = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
    seat(cohort, ana, fay)
    seat(cohort, ben, fay)
    thread = discussions.thread_create(
        cohort=cohort, author=fay, title=THREAD_TITLE, body=FIRST_POST
    )
    return {
        "cohort": cohort,
        "thread": thread,
        "fay": fay,
        "ana": ana,
        "ben": ben,
        "path": f"/cohorts/{cohort.slug}/threads/{thread.pk}/",
    }


def posts_with(body: str) -> int:
    from discussions.models import Post

    return Post.objects.filter(body=body).count()


class ThreadPageCase(browser.BrowserTestCase):
    def open_thread(self, email_address: str, world: dict[str, Any]) -> Any:
        """Sign in as ``email_address`` in a fresh context and open the thread, live."""
        page = self.new_page()
        self.sign_in(page, email_address)
        page.goto(self.url(world["path"]))
        expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
        self.wait_live(page)
        # Survives only as long as the document does: a reload or a navigation clears it.
        page.evaluate("() => { window.__sameDocument = true; }")
        return page

    @staticmethod
    def wait_live(page: Any, timeout: int = 10_000) -> None:
        expect(page.locator("#posts")).to_have_attribute("data-live", "on", timeout=timeout)

    @staticmethod
    def wait_state(page: Any, state: str, timeout: int = 10_000) -> None:
        page.wait_for_function(
            "(state) => document.body.dataset.connection === state", arg=state, timeout=timeout
        )

    @staticmethod
    def same_document(page: Any) -> bool:
        return page.evaluate("() => window.__sameDocument === true")

    @staticmethod
    def post_ids(page: Any) -> list[int]:
        return page.eval_on_selector_all("#posts > li", POST_IDS)

    @staticmethod
    def post(page: Any, text: str) -> Any:
        return page.locator("#posts > li", has_text=text)

    def settle(self, page: Any) -> None:
        assert page.evaluate(PING_ROUND_TRIP) is True, "no pong from the page's socket"

    def write_and_post(self, page: Any, text: str) -> None:
        """Type ``text`` into the reply box and click "Post reply"; wait for the answer."""
        box = field(page, "Your reply")
        box.click()
        box.press_sequentially(text)
        page.get_by_role("button", name="Post reply").click()
        expect(page.locator("#composer-status")).to_have_text("Posted.")
        expect(box).to_have_value("")


class TestLiveThread(ThreadPageCase):
    def test_a_post_typed_in_one_browser_appears_in_the_other_once_without_reload(self) -> None:
        world = build_thread(self)
        ana = self.open_thread("ana@example.org", world)
        ben = self.open_thread("ben@example.org", world)

        # Presence: each sees the other viewing the thread.
        expect(ben.locator("#presence")).to_have_text("Viewing now: Ana Author")
        expect(ana.locator("#presence")).to_have_text("Viewing now: Ben Reader")

        # Typing: Ana's first keystrokes show in Ben's page.
        box = field(ana, "Your reply")
        box.click()
        box.press_sequentially("Our partner ")
        expect(ben.locator("#typing")).to_have_text("Ana Author is typing…")

        text = "Our partner school co-wrote the agenda, and it showed."
        box.press_sequentially(text.removeprefix("Our partner "))
        ana.get_by_role("button", name="Post reply").click()
        expect(ana.locator("#composer-status")).to_have_text("Posted.")
        expect(box).to_have_value("")

        for page in (ana, ben):
            expect(self.post(page, text)).to_have_count(1)
            self.settle(page)  # the socket's copy has been handled too
            expect(self.post(page, text)).to_have_count(1)
            assert self.same_document(page), "the page was reloaded"
            ids = self.post_ids(page)
            assert ids == sorted(set(ids)) and len(ids) == 2, ids
        expect(self.post(ben, text)).to_contain_text("Ana Author")
        assert posts_with(text) == 1

    def test_a_post_written_in_the_page_goes_through_the_rest_api(self) -> None:
        world = build_thread(self)
        ana = self.open_thread("ana@example.org", world)
        writes: list[Any] = []
        ana.on("request", lambda r: writes.append(r) if r.method != "GET" else None)

        text = "Sent through the API, shown from the server's own partial."
        self.write_and_post(ana, text)

        # Even when the API refuses, the page does not fall back to another write path: it
        # says why and keeps the text.
        api = self.url(f"/api/v1/threads/{world['thread'].pk}/posts/")
        refused = "Refused on purpose, and kept in the box."
        ana.route(
            api,
            lambda route: route.fulfill(
                status=405,
                content_type="application/json",
                body='{"detail": "Method \\"POST\\" not allowed.", "code": "method_not_allowed"}',
            ),
        )
        box = field(ana, "Your reply")
        box.fill(refused)
        ana.get_by_role("button", name="Post reply").click()
        expect(ana.locator("#composer-error")).to_contain_text('Method "POST" not allowed.')
        expect(box).to_have_value(refused)
        ana.unroute(api)

        sent = [r for r in writes if r.method == "POST" and r.url == api]
        assert len(sent) == 2, [(r.method, r.url) for r in writes]
        assert sent[0].headers.get("x-csrftoken"), "the session-authenticated API needs CSRF"
        page_posts = [
            r.url
            for r in writes
            if r.url.startswith(self.url(world["path"])) and not r.url.endswith("/read/")
        ]
        assert page_posts == [], page_posts
        # The server's partial, given the controls the author may use and no one else's.
        mine = self.post(ana, text)
        expect(mine).to_have_count(1)
        expect(mine.get_by_role("link", name="Edit")).to_be_visible()
        expect(mine.get_by_role("button", name="Delete")).to_be_visible()
        expect(mine.get_by_role("button", name="Hide")).to_have_count(0)
        expect(mine.locator("input[name=csrfmiddlewaretoken]")).to_have_count(
            mine.locator("form").count()
        )
        assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}", mine.locator("time").inner_text())

    def test_a_member_offline_for_a_while_catches_up_once_in_order(self) -> None:
        from discussions.models import Post

        world = build_thread(self)
        ana = self.open_thread("ana@example.org", world)
        ben = self.open_thread("ben@example.org", world)
        status = ben.locator("#connection-status")
        expect(status).to_be_hidden()

        ben.evaluate("() => window.commonplace.realtime.socket.close(4000)")
        self.wait_state(ben, "reconnecting", timeout=3000)
        ben.context.set_offline(True)
        expect(status).to_be_visible()
        expect(status).to_contain_text("Reconnecting")

        missed = [f"While Ben was away, point {n}: partners set the pace." for n in (1, 2, 3)]
        for text in missed:
            self.write_and_post(ana, text)
        # Still down, still saying so, and none of the posts arrived by some other way.
        ben.wait_for_timeout(500)
        assert ben.evaluate("() => document.body.dataset.connection") == "reconnecting"
        expect(status).to_be_visible()
        for text in missed:
            expect(self.post(ben, text)).to_have_count(0)

        ben.context.set_offline(False)
        self.wait_state(ben, "open", timeout=RECONNECT_TIMEOUT_MS)
        self.wait_live(ben)
        expect(status).to_be_hidden()
        for text in missed:
            expect(self.post(ben, text)).to_have_count(1)
        self.settle(ben)
        ids = self.post_ids(ben)
        assert all(a < b for a, b in itertools.pairwise(ids)), f"not in order: {ids}"
        wanted = list(
            Post.objects.filter(thread=world["thread"]).order_by("pk").values_list("pk", flat=True)
        )
        assert ids == wanted, (ids, wanted)
        assert self.same_document(ben), "Ben's page was reloaded"

        # And it is live again: the next post arrives on its own, once.
        after = "Back online: glad to see the thread caught up."
        self.write_and_post(ana, after)
        expect(self.post(ben, after)).to_have_count(1)
        self.settle(ben)
        expect(self.post(ben, after)).to_have_count(1)
        assert posts_with(after) == 1

    def test_what_a_member_typed_survives_a_failed_submit_and_a_reload(self) -> None:
        world = build_thread(self)
        ben = self.open_thread("ben@example.org", world)
        box = field(ben, "Your reply")
        error = ben.locator("#composer-error")
        draft = "A draft I must not lose: ask partners what *they* want to learn."
        box.click()
        box.press_sequentially(draft)
        client_id = ben.locator("input[name=client_id]").input_value()

        # 1. The network is gone: the submit fails, says so, and keeps the text.
        ben.context.set_offline(True)
        ben.get_by_role("button", name="Post reply").click()
        expect(error).to_be_visible()
        expect(error).to_contain_text("Could not reach the server")
        expect(box).to_have_value(draft)
        assert posts_with(draft) == 0
        ben.context.set_offline(False)

        # 2. Back online, but the answer is lost on the way back: the server saved the post,
        # the page cannot know it, so it keeps the text (and the client_id) as a draft.
        def lose_the_answer(route: Any) -> None:
            route.fetch()
            route.abort()

        posting = re.compile(r"/threads/\d+/posts/$")
        ben.route(posting, lose_the_answer)
        with ben.expect_event("requestfailed"):
            ben.get_by_role("button", name="Post reply").click()
        expect(error).to_contain_text("Could not reach the server")
        expect(box).to_have_value(draft)
        assert posts_with(draft) == 1
        ben.unroute(posting)

        # 3. A reload brings the draft back from localStorage, with the same client_id.
        ben.reload()
        self.wait_live(ben)
        expect(ben.locator("#composer-status")).to_have_text("Your unsent draft is restored.")
        expect(box).to_have_value(draft)
        assert ben.locator("input[name=client_id]").input_value() == client_id

        # 4. Submitting again returns the post the lost attempt made: still one post.
        ben.get_by_role("button", name="Post reply").click()
        expect(ben.locator("#composer-status")).to_have_text("Posted.")
        expect(box).to_have_value("")
        expect(error).to_be_hidden()
        self.settle(ben)
        expect(self.post(ben, "A draft I must not lose")).to_have_count(1)
        assert posts_with(draft) == 1
        key = f"commonplace:draft:thread:{world['thread'].pk}"
        assert ben.evaluate("(key) => window.localStorage.getItem(key)", key) is None

    def test_the_page_marks_read_once_shown_and_again_as_posts_arrive(self) -> None:
        from discussions.models import ReadState

        def pointer() -> int:
            state = ReadState.objects.filter(user=world["ben"], thread=world["thread"]).first()
            return state.last_read_post_id if state else 0

        world = build_thread(self)
        first = world["thread"].posts.get().pk
        ben = self.open_thread("ben@example.org", world)
        # The script posted the read position; the button it stands in for is gone.
        expect(ben.locator("#mark-read")).to_have_count(0)
        deadline = 50
        while pointer() != first and deadline:
            ben.wait_for_timeout(100)
            deadline -= 1
        assert pointer() == first

        ana = self.open_thread("ana@example.org", world)
        text = "A new post, read by Ben as it arrives."
        self.write_and_post(ana, text)
        expect(self.post(ben, text)).to_have_count(1)
        newest = world["thread"].posts.order_by("-pk").first().pk
        deadline = 80
        while pointer() != newest and deadline:
            ben.wait_for_timeout(100)
            deadline -= 1
        assert pointer() == newest

    def test_the_mention_list_offers_each_persons_own_handle(self) -> None:
        from discussions.models import Mention

        world = build_thread(self)

        def add_twin() -> Any:
            twin = self.make_user("aa-twin@example.org", name="Ben Reader")
            seat(world["cohort"], twin, world["fay"])
            return twin

        twin = off_the_loop(add_twin)
        ana = self.open_thread("ana@example.org", world)
        box = field(ana, "Your reply")
        box.click()
        box.press_sequentially("Over to @ben")
        options = ana.locator("#mention-list [role=option]")
        expect(options).to_have_count(2)
        expect(options.nth(0)).to_contain_text("@ben-reader")
        expect(options.nth(1)).to_contain_text("@ben-reader-2")
        box.press("ArrowDown")
        box.press("Enter")
        expect(box).to_have_value("Over to @ben-reader-2 ")
        ana.get_by_role("button", name="Post reply").click()
        expect(ana.locator("#composer-status")).to_have_text("Posted.")
        post = world["thread"].posts.order_by("-pk").first()
        assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [
            twin.pk
        ]


class TestThreadWithoutJavaScript(ThreadPageCase):
    def test_posting_a_quote_reply_through_the_plain_form(self) -> None:
        from discussions.models import Post

        world = build_thread(self)
        page = self.new_page(java_script_enabled=False)
        self.sign_in(page, "ana@example.org")
        page.goto(self.url(world["path"]))
        first = self.post(page, "Share one thing that worked")
        first.get_by_role("link", name="Quote").click()
        box = field(page, "Your reply")
        expect(box).to_have_value(re.compile(r"^> \*\*Fay Facilitator\*\* wrote:\n> Share"))
        box.press("Control+End")
        answer = "Listening first worked; planning without them did not."
        box.press_sequentially(answer)
        page.get_by_role("button", name="Post reply").click()

        post = Post.objects.get(thread=world["thread"], body__endswith=answer)
        page.wait_for_url(self.url(f"{world['path']}#post-{post.pk}"))
        shown = page.locator(f"#post-{post.pk}")
        expect(shown).to_contain_text(answer)
        # The quote says what it answers: no "In reply to" line besides it.
        expect(shown.locator("blockquote")).to_contain_text("Fay Facilitator wrote:")
        expect(shown.locator(".post__reply-to")).to_have_count(0)
        expect(shown.locator("blockquote")).to_contain_text("Share one thing that worked")
        opening = Post.objects.filter(thread=world["thread"]).order_by("pk").first()
        assert post.reply_to_id == opening.pk
        assert Post.objects.filter(thread=world["thread"]).count() == 2

    def test_opening_reads_nothing_and_the_mark_as_read_button_does(self) -> None:
        from discussions.models import ReadState

        world = build_thread(self)
        page = self.new_page(java_script_enabled=False)
        self.sign_in(page, "ben@example.org")
        page.goto(self.url(world["path"]))
        expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
        assert not ReadState.objects.filter(user=world["ben"]).exists()
        page.get_by_role("button", name="Mark as read").click()
        expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
        state = ReadState.objects.get(user=world["ben"], thread=world["thread"])
        assert state.last_read_post_id == world["thread"].posts.get().pk


def channel_layer_is_shared() -> bool:
    """Whether an event published by this (test) process reaches the server's sockets."""
    return "InMemory" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]


class TestRemovedMember(ThreadPageCase):
    def assert_cut_off(self, world: dict[str, Any], ana: Any, ben: Any) -> None:
        """Ben's page says he is out and hears nothing more; a reload is a 404."""
        expect(ben.locator("#connection-status")).to_have_text(
            "You are no longer a member of this cohort."
        )
        expect(ben.locator("#posts")).to_have_attribute("data-live", "off")
        text = "Posted after Ben left: he must not see this."
        self.write_and_post(ana, text)
        expect(self.post(ana, text)).to_have_count(1)
        ben.wait_for_timeout(1000)
        self.settle(ben)  # his socket is still open and answers; it just hears no posts
        expect(self.post(ben, text)).to_have_count(0)
        response = ben.reload()
        assert response is not None and response.status == 404, response and response.status

    # A removal made in the test process reaches the live server's sockets only through a
    # shared channel layer (Redis): this runs in `make test-services`.
    @pytest.mark.services
    def test_removed_by_the_service_stops_hearing_at_once(self) -> None:
        assert channel_layer_is_shared(), "needs REDIS_URL (run with make test-services)"
        from cohorts import services
        from cohorts.models import Membership

        world = build_thread(self)
        ana = self.open_thread("ana@example.org", world)
        ben = self.open_thread("ben@example.org", world)
        membership = Membership.objects.get(cohort=world["cohort"], user=world["ben"])
        off_the_loop(services.membership_remove, membership=membership, by=world["fay"])
        self.assert_cut_off(world, ana, ben)

    def test_removed_by_the_facilitator_in_the_console_stops_hearing_at_once(self) -> None:
        world = build_thread(self)
        ana = self.open_thread("ana@example.org", world)
        ben = self.open_thread("ben@example.org", world)
        fay = self.new_page()
        self.sign_in(fay, "fay@example.org")
        fay.goto(self.url(f"/cohorts/{world['cohort'].slug}/console/"))
        fay.get_by_role("link", name="Remove Ben Reader").first.click()
        fay.get_by_role("button", name="Yes, remove Ben Reader").click()
        fay.wait_for_url(re.compile(r"/console/"))
        self.assert_cut_off(world, ana, ben)
