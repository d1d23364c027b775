"""Reflection prompts: facilitators post, edit, close and reopen them; members read them and
answer in entries; facilitators see who answered, counting only answers shared with them.
Members see open prompts on their dashboard and on the cohort home."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Competency, FramingQuestion
from core.registry import cohort_cards, panels
from journals.models import Entry, Prompt
from journals.services import entry_delete, prompt_close

# The entry-pages stand-in and the post_prompt fixture.
pytest_plugins = ["tests.journals.prompts_support"]
pytestmark = pytest.mark.django_db


def days_from_today(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, f"no section {heading_id}"
    return found.group(0)


def _row(html: str, name: str) -> str:
    """The table row of the person called ``name``."""
    found = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(name)}</th>.*?</tr>", html, re.S)
    assert found, f"no row for {name}"
    return found.group(0)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- posting, editing, closing ---------------------------------------------------------------


def test_a_facilitator_posts_a_prompt_with_competencies_questions_and_a_session(
    fac_client: Client, home: Cohort, framework: Any, add_session: Callable[..., Any]
) -> None:
    session = add_session(home, days=10, title="Listening circles")
    codes = list(framework.competencies.order_by("area__order", "order")[:2])
    question = FramingQuestion.objects.filter(framework=framework).first()
    page = fac_client.get(reverse("journals:prompt_new", args=[home.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    # Competencies are offered under their credential area, from the default framework.
    first_area = codes[0].area.name
    assert f"<legend>{first_area}</legend>" in html
    assert "Listening circles" in html
    response = fac_client.post(
        reverse("journals:prompt_new", args=[home.slug]),
        {
            "title": "A moment you shared power",
            "body": "Think of a time you **stepped back**.",
            "competencies": [c.pk for c in codes],
            "framing_questions": [question.pk],
            "due_on": days_from_today(7).isoformat(),
            "session": session.pk,
        },
    )
    prompt = Prompt.objects.get(cohort=home)
    assert response.status_code == 302 and response["Location"] == prompt.get_absolute_url()
    assert set(prompt.competencies.all()) == set(codes)
    assert list(prompt.framing_questions.all()) == [question]
    assert prompt.session == session and prompt.due_on == days_from_today(7)
    html = fac_client.get(prompt.get_absolute_url()).content.decode()
    assert "<strong>stepped back</strong>" in html
    assert codes[0].code in html and question.title in html
    assert "Listening circles" in html


def test_bad_input_is_shown_with_everything_typed_kept(fac_client: Client, home: Cohort) -> None:
    response = fac_client.post(
        reverse("journals:prompt_new", args=[home.slug]),
        {"title": "", "body": "My long careful prompt text", "due_on": "2001-01-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the prompt a title." in html
    assert "The due date has passed" in html
    assert "My long careful prompt text" in html
    assert not Prompt.objects.exists()


def test_a_session_of_another_cohort_is_refused(
    fac_client: Client,
    home: Cohort,
    other_cohort: Cohort,
    add_session: Callable[..., Any],
    other_facilitator: User,
) -> None:
    from cohorts.services import session_create

    start = days_from_today(5)
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    begins = timezone.make_aware(datetime.combine(start, time(15, 0)))
    foreign = session_create(
        cohort=other_cohort,
        by=other_facilitator,
        title="Their session",
        starts_at=begins,
        ends_at=begins + timedelta(hours=1),
    )
    response = fac_client.post(
        reverse("journals:prompt_new", args=[home.slug]),
        {"title": "Tied elsewhere", "session": foreign.pk},
    )
    assert response.status_code == 400
    assert "Choose a session of this cohort." in response.content.decode()
    assert not Prompt.objects.exists()


def test_the_facilitator_edits_and_a_stale_edit_shows_both_versions(
    fac_client: Client, post_prompt: Callable[..., Prompt], home: Cohort
) -> None:
    prompt = post_prompt(title="First title", body="First body")
    page = fac_client.get(reverse("journals:prompt_edit", args=[prompt.pk]))
    assert page.status_code == 200 and "First body" in page.content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode()).group(1)
    ok = fac_client.post(
        reverse("journals:prompt_edit", args=[prompt.pk]),
        {"title": "Second title", "body": "Second body", "seen": seen},
    )
    assert ok.status_code == 302
    prompt.refresh_from_db()
    assert prompt.title == "Second title" and "Second body" in prompt.body_html
    # A co-facilitator's tab opened before that save: refused, both versions shown.
    stale = fac_client.post(
        reverse("journals:prompt_edit", args=[prompt.pk]),
        {"title": "Third title", "body": "My third body", "seen": seen},
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone changed this prompt" in html
    assert "Second body" in html and "My third body" in html
    prompt.refresh_from_db()
    assert prompt.title == "Second title"


def test_close_and_reopen(
    fac_client: Client, member_client: Client, post_prompt: Callable[..., Prompt]
) -> None:
    prompt = post_prompt()
    url = reverse("journals:prompt_close", args=[prompt.pk])
    assert fac_client.get(url).status_code == 405
    assert member_client.post(url, {"action": "close"}).status_code == 404
    prompt.refresh_from_db()
    assert prompt.is_open
    assert fac_client.post(url, {"action": "close"}).status_code == 302
    prompt.refresh_from_db()
    assert not prompt.is_open
    assert "Closed" in fac_client.get(prompt.get_absolute_url()).content.decode()
    assert fac_client.post(url, {"action": "reopen"}).status_code == 302
    prompt.refresh_from_db()
    assert prompt.is_open


# --- who may see what ------------------------------------------------------------------------


def test_a_member_reads_prompts_but_cannot_post_edit_or_see_reflections(
    member_client: Client, post_prompt: Callable[..., Prompt], home: Cohort
) -> None:
    prompt = post_prompt()
    listing = member_client.get(reverse("journals:prompts", args=[home.slug]))
    assert listing.status_code == 200
    assert prompt.title in listing.content.decode()
    assert "Post a prompt" not in listing.content.decode()
    assert member_client.get(prompt.get_absolute_url()).status_code == 200
    for url in (
        reverse("journals:prompt_new", args=[home.slug]),
        reverse("journals:prompt_edit", args=[prompt.pk]),
        reverse("journals:reflections", args=[home.slug]),
    ):
        assert member_client.get(url).status_code == 404, url
    assert (
        member_client.post(
            reverse("journals:prompt_new", args=[home.slug]), {"title": "Sneaky"}
        ).status_code
        == 404
    )
    assert Prompt.objects.count() == 1


@pytest.mark.parametrize("who", ["other_facilitator", "staff", "outsider"])
def test_people_outside_the_cohort_get_404_everywhere(
    who: str,
    request: pytest.FixtureRequest,
    signed_in: Callable[[User], Client],
    post_prompt: Callable[..., Prompt],
    home: Cohort,
    other_cohort: Cohort,
) -> None:
    prompt = post_prompt()
    client = signed_in(request.getfixturevalue(who))
    for url in (
        reverse("journals:prompts", args=[home.slug]),
        reverse("journals:prompt_new", args=[home.slug]),
        reverse("journals:reflections", args=[home.slug]),
        prompt.get_absolute_url(),
        reverse("journals:prompt_edit", args=[prompt.pk]),
    ):
        assert client.get(url).status_code == 404, url
    close = reverse("journals:prompt_close", args=[prompt.pk])
    assert client.post(close, {"action": "close"}).status_code == 404
    prompt.refresh_from_db()
    assert prompt.is_open


def test_anonymous_visitors_are_sent_to_sign_in(
    anon: Client, post_prompt: Callable[..., Prompt], home: Cohort
) -> None:
    prompt = post_prompt()
    for url in (reverse("journals:prompts", args=[home.slug]), prompt.get_absolute_url()):
        response = anon.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- answers ----------------------------------------------------------------------------------


def test_a_member_sees_the_answer_link_and_their_own_answers(
    member_client: Client,
    member: User,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
) -> None:
    prompt = post_prompt()
    html = member_client.get(prompt.get_absolute_url()).content.decode()
    try:
        new = reverse("journals:entry_new")
    except NoReverseMatch:  # pragma: no cover (the editor is another part's page)
        new = None
    if new is not None:
        assert f'href="{new}?prompt={prompt.pk}"' in html
        assert "Answer in an entry" in html
    assert "You have not answered yet" in html
    mine = write(prompt=prompt, title="My private answer")
    html = member_client.get(prompt.get_absolute_url()).content.decode()
    assert "My private answer" in html and mine.get_absolute_url() in html
    assert "Private: only me" in html
    assert "Your facilitators see an answer only once you share it" in html
    assert "Who answered" not in html


def test_who_answered_counts_only_answers_shared_with_the_facilitator(
    fac_client: Client,
    member: User,
    member2: User,
    home: Cohort,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
    add_members: Callable[[Cohort, int], list[User]],
) -> None:
    (quiet,) = add_members(home, 1)
    prompt = post_prompt()
    write(member, prompt=prompt, title="Kept to myself", body="private words")
    shared = write(member2, prompt=prompt, title="Shared with Fay", visibility="facilitators")
    gone = write(quiet, prompt=prompt, title="Deleted answer", visibility="cohort")
    entry_delete(entry=gone, by=quiet)
    html = fac_client.get(prompt.get_absolute_url()).content.decode()
    section = _section(html, "answered-h")
    assert "1 of 3 members shared an answer with you" in _text(section)
    assert shared.get_absolute_url() in _row(section, member2.display_name)
    assert "Kept to myself" not in html and "private words" not in html
    assert "Deleted answer" not in html
    # A private answer reads exactly like no answer at all.
    private_row = _row(section, member.display_name).replace(member.display_name, "X")
    none_row = _row(section, quiet.display_name).replace(quiet.display_name, "X")
    assert private_row == none_row
    assert "No answer shared yet" in private_row
    # The cohort's list says the same.
    listing = fac_client.get(reverse("journals:prompts", args=[home.slug])).content.decode()
    assert "1 of 3 members shared an answer with you" in _text(listing)


def test_a_co_member_does_not_see_who_answered(
    signed_in: Callable[[User], Client],
    member: User,
    member2: User,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
) -> None:
    prompt = post_prompt()
    write(member, prompt=prompt, title="Shared with the cohort", visibility="cohort")
    html = signed_in(member2).get(prompt.get_absolute_url()).content.decode()
    assert "Who answered" not in html
    assert "Shared with the cohort" not in html


def test_the_cohort_list_puts_open_prompts_first_and_marks_my_answers(
    member_client: Client,
    home: Cohort,
    facilitator: User,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
) -> None:
    later = post_prompt("Due later", due_on=days_from_today(9))
    sooner = post_prompt("Due sooner", due_on=days_from_today(2))
    done = post_prompt("Already closed", due_on=days_from_today(1))
    prompt_close(prompt=done, by=facilitator)
    write(prompt=later, title="My answer")
    html = member_client.get(reverse("journals:prompts", args=[home.slug])).content.decode()
    opened = _section(html, "open-h")
    assert opened.index("Due sooner") < opened.index("Due later")
    assert "Already closed" not in opened
    assert "Already closed" in _section(html, "closed-h")
    later_card = opened[opened.index("Due later") :]
    assert "You answered" in later_card.split("</li>", 1)[0]
    sooner_card = opened[opened.index("Due sooner") :]
    assert "Not answered yet" in sooner_card.split("</li>", 1)[0]
    assert sooner.get_absolute_url() in opened


def test_list_and_prompt_pages_ask_no_more_queries_as_answers_grow(
    fac_client: Client,
    member_client: Client,
    member: User,
    home: Cohort,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
    add_members: Callable[[Cohort, int], list[User]],
) -> None:
    prompt = post_prompt()
    urls = [reverse("journals:prompts", args=[home.slug]), prompt.get_absolute_url()]

    def measure(client: Client) -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    for client in (fac_client, member_client):
        measure(client)  # warm the session
    few = (measure(fac_client), measure(member_client))
    people = add_members(home, 7)
    for n, person in enumerate(people):
        post_prompt(f"Prompt {n}", due_on=days_from_today(n + 1))
        for k in range(3):
            write(person, prompt=prompt, title=f"{n}-{k}", visibility="facilitators")
        write(person, prompt=prompt, title=f"{n}-private")
    write(member, prompt=prompt, title="Mine")
    assert (measure(fac_client), measure(member_client)) == few


# --- the dashboard and the cohort home --------------------------------------------------------


def test_the_registrations_are_in_place() -> None:
    assert "journals.prompts" in [p.name for p in panels()]
    assert "journals.prompts" in [c.name for c in cohort_cards()]


def test_the_dashboard_lists_open_prompts_due_soonest_first_with_answers_marked(
    member_client: Client,
    facilitator: User,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
    other_cohort: Cohort,
    other_facilitator: User,
) -> None:
    later = post_prompt("Due later", due_on=days_from_today(9))
    post_prompt("Due sooner", due_on=days_from_today(2))
    post_prompt("Whenever you like")
    prompt_close(prompt=post_prompt("Closed one"), by=facilitator)
    post_prompt("Long overdue", due_on=days_from_today(-30))
    post_prompt("Not my cohort", cohort=other_cohort, by=other_facilitator)
    write(prompt=later, title="Answered privately")
    panel = _section(
        member_client.get(reverse("dashboard:home")).content.decode(), "dashboard-prompts-h"
    )
    order = [t for t in ("Due sooner", "Due later", "Whenever you like") if t in panel]
    assert order == ["Due sooner", "Due later", "Whenever you like"]
    assert panel.index("Due sooner") < panel.index("Due later") < panel.index("Whenever you")
    for absent in ("Closed one", "Long overdue", "Not my cohort"):
        assert absent not in panel
    line = panel[panel.index("Due later") :].split("</li>", 1)[0]
    assert "Answered" in line
    line = panel[panel.index("Due sooner") :].split("</li>", 1)[0]
    assert "Not answered yet" in line


def test_people_without_prompts_see_no_panel(
    signed_in: Callable[[User], Client], outsider: User, post_prompt: Callable[..., Prompt]
) -> None:
    post_prompt()
    html = signed_in(outsider).get(reverse("dashboard:home")).content.decode()
    assert "dashboard-prompts-h" not in html


def test_the_dashboard_asks_no_more_queries_with_more_prompts(
    member_client: Client,
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
) -> None:
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(reverse("dashboard:home")).status_code == 200
        return len(queries)

    write(prompt=post_prompt("First"), title="Answer")
    member_client.get(reverse("dashboard:home"))
    few = measure()
    for n in range(12):
        prompt = post_prompt(f"Prompt {n}", due_on=days_from_today(n))
        if n % 2:
            write(prompt=prompt, title=f"Answer {n}")
    assert measure() == few


def test_the_cohort_home_card_links_the_prompts_and_offers_posting_to_facilitators(
    member_client: Client, fac_client: Client, home: Cohort, post_prompt: Callable[..., Prompt]
) -> None:
    post_prompt("Card prompt", due_on=days_from_today(3))
    member_card = _section(
        member_client.get(home.get_absolute_url()).content.decode(), "prompts-card-h"
    )
    assert "Card prompt" in member_card
    assert reverse("journals:prompts", args=[home.slug]) in member_card
    assert "Post a prompt" not in member_card
    fac_card = _section(fac_client.get(home.get_absolute_url()).content.decode(), "prompts-card-h")
    assert reverse("journals:prompt_new", args=[home.slug]) in fac_card
    assert reverse("journals:reflections", args=[home.slug]) in fac_card


def test_staff_reading_a_cohort_home_see_no_prompt_card(
    signed_in: Callable[[User], Client],
    staff: User,
    home: Cohort,
    post_prompt: Callable[..., Prompt],
) -> None:
    post_prompt("Card prompt")
    response = signed_in(staff).get(home.get_absolute_url())
    assert response.status_code == 200
    assert "prompts-card-h" not in response.content.decode()


def test_competencies_offered_are_those_of_the_default_framework(
    fac_client: Client, home: Cohort, framework: Any
) -> None:
    html = fac_client.get(reverse("journals:prompt_new", args=[home.slug])).content.decode()
    boxes = re.findall(r'name="competencies" value="(\d+)"', html)
    assert len(boxes) == Competency.objects.filter(framework__is_default=True).count() > 0


def test_the_journal_home_partial_lists_my_open_prompts(
    member: User, post_prompt: Callable[..., Prompt], write: Callable[..., Entry]
) -> None:
    from django.template.loader import render_to_string

    from journals.selectors.prompts import open_prompts_for

    late = post_prompt("Running late", due_on=days_from_today(-3))
    post_prompt("Coming up", due_on=days_from_today(4))
    write(prompt=late, title="Mine")
    html = render_to_string("journals/_open_prompts.html", {"prompts": open_prompts_for(member)})
    assert 'aria-labelledby="open-prompts-h"' in html
    assert html.index("Running late") < html.index("Coming up")
    late_line = html[html.index("Running late") :].split("</li>", 1)[0]
    assert "was due" in late_line and "Answered" in late_line
    empty = render_to_string("journals/_open_prompts.html", {"prompts": []})
    assert "No open prompts in your cohorts." in empty
