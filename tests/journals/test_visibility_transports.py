"""Who sees what of the journals over every way in: pages, the API, the site-wide search,
the socket, file downloads, notifications and digests. ``test_visibility_table.py`` asks
the permission functions; this module asks the transports the same questions, one table
per role, so a view, serializer, search provider or consumer that re-derives a rule (or
forgets one) shows up here.

The world: Mei (``author``) belongs to the home cohort with Mateo (``co_member``), which
Fay (``facilitator``) and Diego (``cofacilitator``) facilitate; Mei also belongs to the
other cohort, which Olu (``other_facilitator``) facilitates. Sam is program staff
(``staff``), Root a superuser (``admin``), Olivia belongs nowhere (``outsider``), and
nobody is signed in (``anonymous``). Mei wrote four entries in the home cohort, each with a
word found nowhere else, an uploaded file as evidence, and feedback:

- ``private``: shared with the facilitators, answered a prompt, got feedback and Mei's
  reply, then made private again (before the reply's notice went out);
- ``facilitators``: shared with the facilitators, answered the prompt; feedback and reply;
- ``cohort``: shared with the cohort; Mei asked for feedback and Diego answered; it also
  cites a resource of the other cohort, which only Mei (of its readers) may open;
- ``deleted``: shared with the cohort, got feedback, then deleted (restorable).

Fay posted a prompt to the home cohort; Mei took a self-assessment of Partnerships; Mateo
keeps one private entry of his own, so "my coverage" and "my entries" have something of
someone else's to leave out.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Delivery, Notification, User
from accounts.services import digests_send, notification_preference_set
from cohorts.models import Cohort
from cohorts.services import invitation_accept, invitation_create
from competencies.models import Area
from config.asgi import application
from journals import consumers
from journals.models import Entry, Prompt, SelfAssessment
from journals.search import KIND
from journals.services import (
    EntryInput,
    EvidenceInput,
    PromptInput,
    RatingInput,
    comment_create,
    entry_create,
    entry_delete,
    entry_set_visibility,
    evidence_add,
    prompt_create,
    self_assessment_take,
)
from resources.services import ResourceInput, resource_create
from tests.discussions.test_consumer import session_for
from tests.files.conftest import pdf_bytes

ROLES = [
    "author",
    "co_member",
    "facilitator",
    "cofacilitator",
    "other_facilitator",
    "staff",
    "admin",
    "outsider",
    "anonymous",
]
ENTRIES = ("private", "facilitators", "cohort", "deleted")

# Each entry's title and the word of its body that nothing else on the site contains.
TITLES = {
    "private": "Mei keeps this to herself",
    "facilitators": "A note for my facilitators",
    "cohort": "An open letter to the circle",
    "deleted": "Something Mei took back",
}
WORDS = {
    "private": "ptarmiganesque",
    "facilitators": "fennelwortish",
    "cohort": "cobblestonian",
    "deleted": "driftwoodly",
}
FEEDBACK = {name: f"Feedback on the {name} entry, from a facilitator" for name in ENTRIES}
REPLY = {name: f"Mei answers on the {name} entry" for name in ("private", "facilitators")}
ASKS = "Mei asks the facilitators to look at the open letter"
ANNOTATION = {name: f"What the {name} file shows" for name in ENTRIES}
SECRET_RESOURCE = "Closed circle field notes"
SECRET_ANNOTATION = "Notes from the other circle, annotated"
PROMPT_TITLE = "Ask your partner what they gain"
MATEO_TITLE = "Mateo's own unshared notes"
AREA = "partnerships"
LOGIN = "/accounts/login/"


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


@dataclass(frozen=True)
class Sees:
    """What one role gets over the transports.

    ``reads``: the entry page, the API detail, the search, the socket watch, the evidence
    annotation; ``feedback``: the comments on the entry page and the feedback page;
    ``edits``: the edit page and the evidence pages; ``downloads``: the entry's uploaded
    evidence file; ``prompt``: "" (404), "member" (reads and answers) or "facilitator"
    (also manages it and the reflections view); ``told``: the entries whose feedback they
    are notified of (in-app and by e-mail); ``coverage``: their own numbers per
    competency code, (entries, evidence); ``rated``: whether their coverage carries a
    self-rating; ``own``: the entries the API lists as
    theirs (names from ``ENTRIES``, or "mateo" for Mateo's own).
    """

    reads: frozenset[str] = frozenset()
    feedback: frozenset[str] = frozenset()
    edits: frozenset[str] = frozenset()
    downloads: frozenset[str] = frozenset()
    prompt: str = ""
    told: frozenset[str] = frozenset()
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    rated: bool = False
    own: frozenset[str] = frozenset()
    secret_title: bool = False  # sees the title of the other cohort's resource Mei cites


NOBODY = Sees()
TABLE: dict[str, Sees] = {
    "author": Sees(
        reads=_set("private", "facilitators", "cohort"),
        feedback=_set("private", "facilitators", "cohort"),
        edits=_set("private", "facilitators", "cohort"),
        # The uploader keeps her file, even on an entry she deleted.
        downloads=_set(*ENTRIES),
        prompt="member",
        told=_set("private", "facilitators", "cohort"),
        coverage={"PAR-1": (3, 3), "PAR-2": (0, 1)},
        rated=True,
        own=_set("private", "facilitators", "cohort"),
        secret_title=True,
    ),
    "co_member": Sees(
        reads=_set("cohort"),
        downloads=_set("cohort"),
        prompt="member",
        coverage={"PAR-3": (1, 0)},
        own=_set("mateo"),
    ),
    "facilitator": Sees(
        reads=_set("facilitators", "cohort"),
        feedback=_set("facilitators", "cohort"),
        downloads=_set("facilitators", "cohort"),
        prompt="facilitator",
        # Not of Mei's reply on "private": she made it private before the notice went out.
        told=_set("facilitators", "cohort"),
    ),
    "cofacilitator": Sees(
        reads=_set("facilitators", "cohort"),
        feedback=_set("facilitators", "cohort"),
        downloads=_set("facilitators", "cohort"),
        prompt="facilitator",
        told=_set("cohort"),  # asked by Mei; not of replies to Fay's feedback
    ),
    # Olu facilitates a cohort Mei belongs to: that opens nothing she shared elsewhere.
    "other_facilitator": NOBODY,
    "staff": NOBODY,
    "admin": NOBODY,
    "outsider": NOBODY,
    "anonymous": NOBODY,
}


def test_the_table_names_every_role_once() -> None:
    assert list(TABLE) == ROLES


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, User]
    entries: dict[str, Entry]
    files: dict[str, str]  # entry name -> download path of its uploaded evidence
    prompt: Prompt
    assessment: SelfAssessment
    home: Cohort
    mateo_entry: Entry

    def user(self, role: str) -> User | None:
        """The person as a new request sees them (nothing cached from building the world)."""
        return None if role == "anonymous" else User.objects.get(pk=self.people[role].pk)


@pytest.fixture
def world(
    home: Cohort,
    member: User,
    member2: User,
    facilitator: User,
    cofacilitator: User,
    other_cohort: Cohort,
    other_facilitator: User,
    staff: User,
    outsider: User,
    make_user: Callable[..., User],
    seat: Callable[..., Any],
    partnerships: Area,
    django_capture_on_commit_callbacks: Any,
) -> World:
    _, token = invitation_create(
        cohort=home, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    seat(other_cohort, member)
    admin = make_user("root@example.org", name="Root Admin", is_staff=True, is_superuser=True)
    people = {
        "author": member,
        "co_member": member2,
        "facilitator": facilitator,
        "cofacilitator": cofacilitator,
        "other_facilitator": other_facilitator,
        "staff": staff,
        "admin": admin,
        "outsider": outsider,
    }
    # Feedback reaches Mei at once by e-mail (the kind's default) and everyone else in the
    # daily digest, so both ways out are watched.
    for role, person in people.items():
        if role != "author":
            notification_preference_set(
                user=person, kind="journals.feedback", delivery=Delivery.DIGEST
            )

    prompt = prompt_create(cohort=home, by=facilitator, data=PromptInput(title=PROMPT_TITLE))
    secret = resource_create(
        cohort=other_cohort,
        by=member,
        kind="link",
        data=ResourceInput(title=SECRET_RESOURCE, url="https://example.org/closed"),
    )
    entries: dict[str, Entry] = {}
    files: dict[str, str] = {}
    for name, visibility in (
        ("private", "facilitators"),
        ("facilitators", "facilitators"),
        ("cohort", "cohort"),
        ("deleted", "cohort"),
    ):
        entry = entry_create(
            author=member,
            data=EntryInput(
                title=TITLES[name],
                body=f"Today I felt {WORDS[name]} about the partnership.",
                cohort=home,
                prompt=prompt if name in ("private", "facilitators") else None,
                competencies=["PAR-1"],
                notes={"PAR-1": "How I listened first."},
                status=Entry.Status.FINAL,
            ),
            visibility=visibility,
        )
        item = evidence_add(
            entry=entry,
            by=member,
            data=EvidenceInput(kind="file", annotation=ANNOTATION[name], competency="PAR-1"),
            upload=SimpleUploadedFile(f"{name}-minutes.pdf", pdf_bytes(f"Minutes {name}")),
        )
        files[name] = reverse("files:download", args=[item.file_id])
        entries[name] = entry
    evidence_add(
        entry=entries["cohort"],
        by=member,
        data=EvidenceInput(
            kind="resource", target=secret.pk, annotation=SECRET_ANNOTATION, competency="PAR-2"
        ),
    )

    # Feedback, with each notice sent once the block "commits" (the tasks run then, as a
    # worker would after the request).
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(entry=entries["private"], by=facilitator, body=FEEDBACK["private"])
        comment_create(entry=entries["private"], by=member, body=REPLY["private"])
        entries["private"] = entry_set_visibility(
            entry=entries["private"], by=member, visibility="private"
        )
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(entry=entries["facilitators"], by=facilitator, body=FEEDBACK["facilitators"])
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(entry=entries["facilitators"], by=member, body=REPLY["facilitators"])
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(entry=entries["cohort"], by=member, body=ASKS)
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(entry=entries["cohort"], by=cofacilitator, body=FEEDBACK["cohort"])
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(entry=entries["deleted"], by=facilitator, body=FEEDBACK["deleted"])
        entries["deleted"] = entry_delete(entry=entries["deleted"], by=member)

    assessment = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[RatingInput(c, 2) for c in partnerships.competencies.all()],
    )
    mateo_entry = entry_create(
        author=member2,
        data=EntryInput(title=MATEO_TITLE, competencies=["PAR-3"], status=Entry.Status.FINAL),
    )
    return World(
        people=people,
        entries=entries,
        files=files,
        prompt=prompt,
        assessment=assessment,
        home=home,
        mateo_entry=mateo_entry,
    )


def page_client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role])
    return client


def api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.user(role))
    return client


def sent_to_sign_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def page_status(response: Any) -> int | str:
    """The status, or "login" for a redirect to the sign-in page."""
    return "login" if sent_to_sign_in(response) else response.status_code


def expected_page(role: str, allowed: bool) -> int | str:
    if role == "anonymous":
        return "login"
    return 200 if allowed else 404


def link(url: str) -> str:
    return f'href="{url}"'


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_entry_pages_evidence_and_files(world: World, role: str) -> None:
    sees = TABLE[role]
    client = page_client(world, role)
    got: dict[str, tuple[Any, ...]] = {}
    want: dict[str, tuple[Any, ...]] = {}
    for name, entry in world.entries.items():
        page = client.get(entry.get_absolute_url())
        html = page.content.decode()
        edit = client.get(reverse("journals:entry_edit", args=[entry.pk]))
        conversation = client.get(reverse("journals:comment_create", args=[entry.pk]))
        got[name] = (
            page_status(page),
            page_status(edit),
            page_status(conversation),
            FEEDBACK[name] in conversation.content.decode(),
            WORDS[name] in html,
            ANNOTATION[name] in html,
            link(world.files[name]) in html,
            FEEDBACK[name] in html,
        )
        reads = name in sees.reads
        want[name] = (
            expected_page(role, reads),
            expected_page(role, name in sees.edits),
            expected_page(role, name in sees.feedback),
            name in sees.feedback,
            reads,
            reads,
            reads,
            name in sees.feedback,
        )
        if name in REPLY:
            assert (REPLY[name] in html) == (name in sees.feedback), (role, name)
        if name == "cohort":
            assert (ASKS in html) == (name in sees.feedback), role
            # A reader sees the annotation of what Mei cites from the other cohort, and its
            # title only if they may open it themselves.
            assert (SECRET_ANNOTATION in html) == reads, role
            assert (SECRET_RESOURCE in html) == (reads and sees.secret_title), role
    assert got == want

    # The uploaded evidence: its file, for readers of the entry (and its uploader).
    files = {name: client.get(path).status_code for name, path in world.files.items()}
    assert files == {name: 200 if name in sees.downloads else 404 for name in ENTRIES}

    # The evidence pages are the author's.
    for name, entry in world.entries.items():
        item = entry.evidence.order_by("pk").first()
        assert item is not None
        for url in (
            reverse("journals:evidence_add", args=[entry.pk]) + "?kind=url",
            reverse("journals:evidence_edit", args=[entry.pk, item.pk]),
        ):
            # Signed out, these answer 404 like any entry one may not edit (no sign-in
            # round trip for a form that could only ever be refused).
            edits = expected_page(role, name in sees.edits)
            assert page_status(client.get(url)) == (404 if role == "anonymous" else edits), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_prompt_pages(world: World, role: str) -> None:
    sees = TABLE[role]
    client = page_client(world, role)
    slug = world.home.slug
    prompt = client.get(world.prompt.get_absolute_url())
    got = {
        "prompt": page_status(prompt),
        "list": page_status(client.get(reverse("journals:prompts", args=[slug]))),
        "edit": page_status(client.get(reverse("journals:prompt_edit", args=[world.prompt.pk]))),
        "new": page_status(client.get(reverse("journals:prompt_new", args=[slug]))),
        "reflections": page_status(client.get(reverse("journals:reflections", args=[slug]))),
    }
    manages = sees.prompt == "facilitator"
    assert got == {
        "prompt": expected_page(role, bool(sees.prompt)),
        "list": expected_page(role, bool(sees.prompt)),
        "edit": expected_page(role, manages),
        "new": expected_page(role, manages),
        "reflections": expected_page(role, manages),
    }
    # Who answered: a facilitator sees the shared answer, never the one made private; the
    # author sees both of hers; a co-member sees neither.
    html = prompt.content.decode()
    shown = {name for name in ("private", "facilitators") if TITLES[name] in html}
    if role == "author":
        assert shown == {"private", "facilitators"}
    elif manages:
        assert shown == {"facilitators"}
    else:
        assert shown == set()
    if manages:
        reflections = client.get(reverse("journals:reflections", args=[slug])).content.decode()
        for name in ("private", "deleted"):
            assert TITLES[name] not in reflections
            assert link(world.entries[name].get_absolute_url()) not in reflections


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_self_assessment_pages_and_api(world: World, role: str) -> None:
    client = page_client(world, role)
    own = role == "author"
    detail = world.assessment.get_absolute_url()
    assert page_status(client.get(detail)) == expected_page(role, own)
    listing = client.get(reverse("journals:assessments"))
    assert page_status(listing) == expected_page(role, True)
    assert (link(detail) in listing.content.decode()) == own

    api = api_client(world, role)
    detail = api.get(reverse("api:journal-assessment", args=[world.assessment.pk]))
    listing = api.get(reverse("api:journal-assessments"))
    if role == "anonymous":
        assert (detail.status_code, listing.status_code) == (401, 401)
        return
    assert detail.status_code == (200 if own else 404)
    ids = [row["id"] for row in listing.json()["results"]]
    assert ids == ([world.assessment.pk] if own else [])


def _coverage_rows(html: str) -> dict[str, tuple[str, str]]:
    """Each competency row of the coverage page: (entries text, evidence count)."""
    rows = {}
    for code, body in re.findall(r'<tr id="cell-([A-Z]+-\d+)">(.*?)</tr>', html, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
        rows[code] = (cells[1].strip(), cells[2].strip())
    return rows


def _entries_text(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_coverage_pages_and_api_show_only_ones_own_numbers(world: World, role: str) -> None:
    sees = TABLE[role]
    client = page_client(world, role)
    page = client.get(reverse("journals:coverage"), {"area": AREA})
    cell = client.get(reverse("journals:coverage_cell", args=["PAR-1"]))
    if role == "anonymous":
        assert sent_to_sign_in(page) and sent_to_sign_in(cell)
        api = api_client(world, role).get(reverse("api:journal-coverage"), {"area": AREA})
        assert api.status_code == 401
        return
    assert page.status_code == cell.status_code == 200
    rows = _coverage_rows(page.content.decode())
    assert len(rows) >= 3
    for code, (entries_text, evidence) in rows.items():
        entries, items = sees.coverage.get(code, (0, 0))
        assert (entries_text, evidence) == (_entries_text(entries), str(items)), code
    html = cell.content.decode()
    entries, items = sees.coverage.get("PAR-1", (0, 0))
    assert f"<dt>Entries</dt><dd>{_entries_text(entries)}</dd>" in html
    # The cell lists the person's own entries only (Fay reads two of these, and they are
    # still not hers).
    listed = {name for name, title in TITLES.items() if title in html}
    assert listed == (sees.reads if role == "author" else set())

    # The same numbers in the API.
    response = api_client(world, role).get(reverse("api:journal-coverage"), {"area": AREA})
    assert response.status_code == 200
    (area,) = response.json()["areas"]
    got = {
        cell["code"]: (cell["entries"], cell["evidence"], cell["self_rating"] is not None)
        for cell in area["competencies"]
    }
    want = {code: (*sees.coverage.get(code, (0, 0)), sees.rated) for code in got}
    assert len(got) >= 3 and got == want


@pytest.mark.django_db
def test_the_admin_lists_no_journal_entries(world: World) -> None:
    client = page_client(world, "admin")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/journals/entry/").status_code == 404
    index = client.get("/admin/").content.decode()
    assert not any(title in index for title in TITLES.values())


# --- the API --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_entry_api(world: World, role: str) -> None:
    sees = TABLE[role]
    client = api_client(world, role)
    got = {}
    for name, entry in world.entries.items():
        response = client.get(reverse("api:journal-entry", args=[entry.pk]))
        text = response.content.decode()
        got[name] = (
            response.status_code,
            WORDS[name] in text,
            ANNOTATION[name] in text,
            # The API carries no feedback at all: never for someone who may not see it.
            FEEDBACK[name] in text,
        )
        if name == "cohort" and response.status_code == 200:
            assert SECRET_ANNOTATION in text
            assert (SECRET_RESOURCE in text) == sees.secret_title
    anonymous = role == "anonymous"
    assert got == {
        name: (401 if anonymous else 200 if name in sees.reads else 404,)
        + (name in sees.reads,) * 2
        + (False,)
        for name in ENTRIES
    }

    listing = client.get(reverse("api:journal-entries"))
    if anonymous:
        assert listing.status_code == 401
        return
    assert listing.status_code == 200
    named = {entry.pk: name for name, entry in world.entries.items()}
    named[world.mateo_entry.pk] = "mateo"
    listed = {named.get(row["id"], row["id"]) for row in listing.json()["results"]}
    assert listed == sees.own


# --- the site-wide search -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_search_finds_exactly_what_the_role_may_read(world: World, role: str) -> None:
    client = page_client(world, role)
    for kind in ("", KIND):
        found = set()
        for name, entry in world.entries.items():
            response = client.get("/search/", {"q": WORDS[name], "kind": kind})
            if role == "anonymous":
                assert sent_to_sign_in(response)
                continue
            assert response.status_code == 200
            html = response.content.decode()
            if link(entry.get_absolute_url()) in html:
                found.add(name)
            else:
                assert TITLES[name] not in html, (name, kind)
        assert found == TABLE[role].reads, kind


# --- the socket -----------------------------------------------------------------------------


@pytest.fixture
async def sockets() -> AsyncIterator[Callable[[User | None], Any]]:
    opened: list[WebsocketCommunicator] = []

    async def open_socket(user: User | None) -> WebsocketCommunicator:
        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
        if user is not None:
            key = await session_for(user)
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return communicator

    yield open_socket
    for communicator in opened:
        with contextlib.suppress(Exception):  # already closed by the server
            await communicator.disconnect()


async def _answer(communicator: WebsocketCommunicator, entry_id: int) -> dict[str, Any]:
    await communicator.send_json_to({"type": "journals.watch", "entry": entry_id})
    while True:
        frame = await communicator.receive_json_from(timeout=3)
        if frame.get("type") in ("journals.watching", "error"):
            return frame


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
async def test_socket_watch(world: World, role: str, sockets: Any) -> None:
    user = await database_sync_to_async(world.user)(role)
    communicator = await sockets(user)
    if user is None:
        assert await communicator.receive_output(timeout=3) == {
            "type": "websocket.close",
            "code": 4401,
        }
        return
    got = {}
    for name, entry in world.entries.items():
        frame = await _answer(communicator, entry.pk)
        if frame["type"] == "journals.watching":
            assert frame == {"type": "journals.watching", "entry": entry.pk}
            got[name] = True
        else:
            # The same refusal as for an entry that does not exist.
            assert frame == {
                "type": "error",
                "code": "forbidden",
                "detail": consumers.FORBIDDEN,
                "entry": entry.pk,
            }
            got[name] = False
    assert got == {name: name in TABLE[role].reads for name in ENTRIES}


# --- notifications and digests --------------------------------------------------------------


def _named(text: str) -> set[str]:
    return {name for name, title in TITLES.items() if title in text}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES[:-1])
def test_feedback_notices_reach_only_those_who_may_see_the_feedback(
    world: World, role: str
) -> None:
    sees = TABLE[role]
    person = world.people[role]
    notes = list(Notification.objects.filter(user=person, kind="journals.feedback"))
    told = set().union(*(_named(n.title) for n in notes)) if notes else set()
    assert told == sees.told
    # Every notice names one entry, and it points at that entry's feedback.
    for note in notes:
        (name,) = _named(note.title)
        assert note.url == f"{world.entries[name].get_absolute_url()}#feedback"
    # The in-app list shows the same, and nothing more.
    listing = page_client(world, role).get(reverse("accounts:notifications"))
    assert listing.status_code == 200
    assert _named(listing.content.decode()) == sees.told

    # By e-mail: Mei at once, everyone else in the daily digest.
    digests_send(force=True)
    mailed = [m for m in mail.outbox if person.email in m.to]
    text = " ".join(f"{m.subject}\n{m.body}" for m in mailed)
    assert _named(text) == sees.told
    if role != "author" and sees.told:
        assert len(mailed) == 1 and "digest" in mailed[0].subject.lower()


@pytest.mark.django_db
def test_no_message_ever_names_an_entry_to_someone_who_may_not_read_it(world: World) -> None:
    """Across everyone: every feedback notice and every e-mail sent while the world was
    made, and the digests, name only entries their recipient may read now."""
    digests_send(force=True)
    by_address = {person.email: role for role, person in world.people.items()}
    assert mail.outbox
    for message in mail.outbox:
        named = _named(f"{message.subject}\n{message.body}")
        for address in message.to:
            # Anyone outside the table (the reviewer who approved the cohorts) reads none.
            role = by_address.get(address, "anonymous")
            assert named <= TABLE[role].reads, (address, message.subject)
    for note in Notification.objects.select_related("user"):
        role = by_address.get(note.user.email, "anonymous")
        assert _named(f"{note.title}\n{note.body}") <= TABLE[role].reads, (role, note.title)
