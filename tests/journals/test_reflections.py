"""The facilitators' reflections view and the participation column: counts of what members
shared with the facilitators, never the text or the count of anything private."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from core.registry import participation_sources
from journals.models import Entry, Prompt
from journals.permissions import forget_cached
from journals.selectors.prompts import reflection_counts
from journals.services import EntryInput, comment_create, entry_create, entry_delete

# The entry-pages stand-in and the post_prompt fixture.
pytest_plugins = ["tests.journals.prompts_support"]
pytestmark = pytest.mark.django_db


def days_from_today(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def _cells(html: str, name: str) -> list[str]:
    """The text of each cell in the row of the person called ``name``."""
    found = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(name)}</th>(.*?)</tr>", html, re.S)
    assert found, f"no row for {name}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _participation_cells(html: str, name: str) -> list[str]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    (row,) = [r for r in rows if f">{name}</a>" in r]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _prompt_cells(html: str, title: str) -> list[str]:
    found = re.search(rf"{re.escape(title)}</a>.*?</th>(.*?)</tr>", html, re.S)
    assert found, f"no row for {title}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


@pytest.fixture
def scene(
    home: Cohort,
    other_cohort: Cohort,
    member: User,
    member2: User,
    facilitator: User,
    seat: Callable[..., object],
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
) -> dict[str, object]:
    """Mei shares two entries (one answers the first prompt, one gets feedback and her
    reply), keeps one answer private and deletes a shared one; Mateo keeps everything
    private; Mei's entry in another cohort is shared there."""
    first = post_prompt("First prompt", due_on=days_from_today(3))
    second = post_prompt("Second prompt", due_on=days_from_today(6))
    answer = write(member, prompt=first, title="Mei answers", visibility="facilitators")
    note = write(member, title="Mei notes", visibility="cohort")
    write(member, prompt=second, title="Mei private answer", body="secret words")
    gone = write(member, prompt=second, title="Mei deleted", visibility="cohort")
    entry_delete(entry=gone, by=member)
    write(member2, prompt=first, title="Mateo private answer")
    write(member2, title="Mateo private notes")
    comment_create(entry=note, by=facilitator, body="Thank you")
    comment_create(entry=note, by=member, body="My reply")
    comment_create(entry=answer, by=facilitator, body="Go on")
    seat(other_cohort, member)
    forget_cached(member)
    entry_create(
        author=member,
        data=EntryInput(title="Elsewhere", cohort=other_cohort),
        visibility="cohort",
    )
    return {"first": first, "second": second, "answer": answer, "note": note}


def test_the_reflections_view_counts_only_what_was_shared(
    scene: dict[str, object], fac_client: Client, home: Cohort, member: User, member2: User
) -> None:
    response = fac_client.get(reverse("journals:reflections", args=[home.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert _prompt_cells(html, "First prompt")[1] == "1 of 2"
    assert _prompt_cells(html, "Second prompt")[1] == "0 of 2"
    mei = _cells(html, member.display_name)
    # Entries shared, prompts answered, comments given (not her reply), latest shared.
    assert mei[:3] == ["2", "1", "2"]
    assert "Mei answers" in mei[3] or "Mei notes" in mei[3]
    assert _cells(html, member2.display_name) == ["0", "0", "0", "None shared yet"]
    for never in (
        "Mei private answer",
        "secret words",
        "Mei deleted",
        "Mateo private",
        "Elsewhere",
    ):
        assert never not in html


def test_the_participation_view_gains_reflection_counts(
    scene: dict[str, object], fac_client: Client, home: Cohort, member: User, member2: User
) -> None:
    assert "reflections" in [s.key for s in participation_sources()]
    assert reflection_counts(home) == {member.pk: 2}
    html = fac_client.get(reverse("participation:cohort", args=[home.slug])).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    column = [re.sub(r"<[^>]+>.*", "", h).strip() for h in headers].index("Reflections shared")
    # The member column is a <th>, so the counts start one column in.
    assert _participation_cells(html, member.display_name)[column - 1] == "2"
    assert _participation_cells(html, member2.display_name)[column - 1] == "0"
    assert "Mei notes" not in html and "Mei answers" not in html


def test_the_reflections_view_asks_no_more_queries_as_the_cohort_grows(
    fac_client: Client,
    home: Cohort,
    facilitator: User,
    add_members: Callable[[Cohort, int], list[User]],
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
) -> None:
    url = reverse("journals:reflections", args=[home.slug])

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert fac_client.get(url).status_code == 200
        return len(queries)

    post_prompt("Only one")
    fac_client.get(url)
    few = measure()
    people = add_members(home, 8)
    prompts = [post_prompt(f"Prompt {n}") for n in range(5)]
    for n, person in enumerate(people):
        for k, prompt in enumerate(prompts):
            entry = write(
                person,
                prompt=prompt,
                title=f"{n}-{k}",
                visibility="facilitators" if (n + k) % 3 else "private",
            )
            if entry.is_shared and k % 2:
                comment_create(entry=entry, by=facilitator, body="Noted")
    assert measure() == few
