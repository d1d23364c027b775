"""Who sees and does what in the journals, as one table per kind of thing, over the
permission functions and selectors every page, API view, socket and search asks (the pages
and the API are tested against the same rules by their own parts).

The world: Mei (``author``) writes in a cohort with Mateo (``co_member``), facilitated by
Fay (``facilitator``) and Diego (``cofacilitator``). Olu facilitates another cohort
(``other_facilitator``); Sam is program staff (``staff``); Root is a superuser
(``admin``); Olivia belongs nowhere (``outsider``); and nobody is signed in
(``anonymous``). Each of Mei's entries had a facilitator's comment while it was shared:

- ``private``: shared with the facilitators, commented on, then made private again;
- ``facilitators``: shared with the cohort's facilitators;
- ``cohort``: shared with the whole cohort;
- ``deleted``: shared with the cohort, commented on, then deleted (restorable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import invitation_accept, invitation_create
from competencies.models import Area
from journals import permissions
from journals.models import Entry, Prompt, SelfAssessment
from journals.services import (
    PromptInput,
    RatingInput,
    comment_create,
    entry_delete,
    entry_set_visibility,
    prompt_create,
    self_assessment_take,
)

pytestmark = pytest.mark.django_db

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

# Entries. v = reads it (can_view_entry, entries_visible_to, access_entry need="view");
# f = sees its feedback (can_see_feedback, comments_visible_to, need="feedback");
# c = may comment (can_comment, need="comment"); e = edits and deletes it (can_edit_entry,
# need="edit"/"delete"); r = restores it (can_restore_entry, need="restore").
# "-" = nothing at all: every access_entry answers 404, as for an entry that does not exist.
ENTRY_TABLE: dict[str, tuple[str, str, str, str]] = {
    #                    private  facilitators  cohort   deleted
    "author":            ("vfe",  "vfce",       "vfce",  "r"),
    "co_member":         ("-",    "-",          "v",     "-"),
    "facilitator":       ("-",    "vfc",        "vfc",   "-"),
    "cofacilitator":     ("-",    "vfc",        "vfc",   "-"),
    "other_facilitator": ("-",    "-",          "-",     "-"),
    "staff":             ("-",    "-",          "-",     "-"),
    "admin":             ("-",    "-",          "-",     "-"),
    "outsider":          ("-",    "-",          "-",     "-"),
    "anonymous":         ("-",    "-",          "-",     "-"),
}  # fmt: skip

# The cohort's prompt. v = reads it (can_view_prompt, prompts_visible_to, access_prompt);
# m = manages it: edits, closes, sees who answered (can_manage_prompt, need="manage");
# a = may answer it in an entry (can_answer_prompt, need="answer").
PROMPT_TABLE: dict[str, str] = {
    "author":            "va",
    "co_member":         "va",
    "facilitator":       "vma",
    "cofacilitator":     "vma",
    "other_facilitator": "-",
    "staff":             "-",
    "admin":             "-",
    "outsider":          "-",
    "anonymous":         "-",
}  # fmt: skip

# Mei's self-assessment: her own (assessments_visible_to, access_assessment), nobody else's.
ASSESSMENT_TABLE: dict[str, bool] = {role: role == "author" for role in ROLES}


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
    partnerships: Area,
    write: Callable[..., Entry],
) -> dict[str, Any]:
    _, token = invitation_create(
        cohort=home, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    admin = make_user("root@example.org", name="Root Admin", is_staff=True, is_superuser=True)

    entries: dict[str, Entry] = {}
    for name, visibility in (
        ("private", "facilitators"),
        ("facilitators", "facilitators"),
        ("cohort", "cohort"),
        ("deleted", "cohort"),
    ):
        entry = write(title=f"The {name} entry", visibility=visibility)
        comment_create(entry=entry, by=facilitator, body=f"Feedback on the {name} entry")
        entries[name] = entry
    entries["private"] = entry_set_visibility(
        entry=entries["private"], by=member, visibility="private"
    )
    entries["deleted"] = entry_delete(entry=entries["deleted"], by=member)

    prompt = prompt_create(
        cohort=home, by=facilitator, data=PromptInput(title="Ask your partner what they gain")
    )
    assessment = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[RatingInput(c, 2) for c in partnerships.competencies.all()],
    )
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
    return {"people": people, "entries": entries, "prompt": prompt, "assessment": assessment}


def as_role(world: dict[str, Any], role: str) -> Any:
    """The person as a new request sees them (nothing cached from building the world)."""
    if role == "anonymous":
        return AnonymousUser()
    return User.objects.get(pk=world["people"][role].pk)


def opens(call: Callable[[], Any]) -> bool:
    try:
        call()
    except Http404:
        return False
    return True


def agree(letter: str, answers: dict[str, bool]) -> bool:
    """Every function asked about one ability gives the same answer."""
    assert len(set(answers.values())) == 1, f"{letter!r}: the functions disagree: {answers}"
    return next(iter(answers.values()))


def entry_row(user: Any, entry: Entry) -> str:
    fresh = Entry.objects.get(pk=entry.pk)

    def access(need: Any) -> bool:
        return opens(lambda: permissions.access_entry(user, entry_id=entry.pk, need=need))

    abilities = {
        "v": {
            "can_view_entry": permissions.can_view_entry(user, fresh),
            "entries_visible_to": permissions.entries_visible_to(user).filter(pk=entry.pk).exists(),
            "access_entry(view)": access("view"),
            "access_entry(str id)": opens(
                lambda: permissions.access_entry(user, entry_id=str(entry.pk))
            ),
        },
        "f": {
            "can_see_feedback": permissions.can_see_feedback(user, fresh),
            "comments_visible_to": permissions.comments_visible_to(user, fresh).exists(),
            "access_entry(feedback)": access("feedback"),
        },
        "c": {
            "can_comment": permissions.can_comment(user, fresh),
            "access_entry(comment)": access("comment"),
        },
        "e": {
            "can_edit_entry": permissions.can_edit_entry(user, fresh),
            "access_entry(edit)": access("edit"),
            "access_entry(delete)": access("delete"),
        },
        "r": {
            "can_restore_entry": permissions.can_restore_entry(user, fresh),
            "access_entry(restore)": access("restore"),
        },
    }
    return "".join(letter for letter, answers in abilities.items() if agree(letter, answers)) or "-"


def prompt_row(user: Any, prompt: Prompt) -> str:
    fresh = Prompt.objects.get(pk=prompt.pk)

    def access(need: Any) -> bool:
        return opens(lambda: permissions.access_prompt(user, prompt_id=prompt.pk, need=need))

    abilities = {
        "v": {
            "can_view_prompt": permissions.can_view_prompt(user, fresh),
            "prompts_visible_to": permissions.prompts_visible_to(user)
            .filter(pk=prompt.pk)
            .exists(),
            "access_prompt(view)": access("view"),
        },
        "m": {
            "can_manage_prompt": permissions.can_manage_prompt(user, fresh),
            "can_manage_prompt(cohort)": permissions.can_manage_prompt(user, fresh.cohort),
            "access_prompt(manage)": access("manage"),
        },
        "a": {
            "can_answer_prompt": permissions.can_answer_prompt(user, fresh),
            "access_prompt(answer)": access("answer"),
        },
    }
    return "".join(letter for letter, answers in abilities.items() if agree(letter, answers)) or "-"


def assessment_cell(user: Any, assessment: SelfAssessment) -> bool:
    return agree(
        "assessment",
        {
            "assessments_visible_to": permissions.assessments_visible_to(user)
            .filter(pk=assessment.pk)
            .exists(),
            "access_assessment": opens(
                lambda: permissions.access_assessment(user, assessment_id=assessment.pk)
            ),
        },
    )


def test_the_table_names_every_role_once() -> None:
    assert list(ENTRY_TABLE) == ROLES == list(PROMPT_TABLE) == list(ASSESSMENT_TABLE)


@pytest.mark.parametrize("role", ROLES)
def test_entries(world: dict[str, Any], role: str) -> None:
    user = as_role(world, role)
    row = tuple(entry_row(user, world["entries"][name]) for name in ENTRIES)
    assert row == ENTRY_TABLE[role], dict(zip(ENTRIES, row, strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_prompts(world: dict[str, Any], role: str) -> None:
    assert prompt_row(as_role(world, role), world["prompt"]) == PROMPT_TABLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_self_assessments(world: dict[str, Any], role: str) -> None:
    assert assessment_cell(as_role(world, role), world["assessment"]) == ASSESSMENT_TABLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_entries_visible_to_lists_exactly_the_readable_ones(
    world: dict[str, Any], role: str
) -> None:
    """The selector, as a list page runs it: the entries the table says this role reads."""
    readable = {
        world["entries"][name].pk
        for name, cell in zip(ENTRIES, ENTRY_TABLE[role], strict=True)
        if "v" in cell
    }
    listed = set(permissions.entries_visible_to(as_role(world, role)).values_list("pk", flat=True))
    assert listed == readable


def test_missing_and_malformed_ids_are_the_same_404(world: dict[str, Any]) -> None:
    author = as_role(world, "author")
    for bad in (999_999, "abc", None, "1.5"):
        with pytest.raises(Http404):
            permissions.access_entry(author, entry_id=bad)  # type: ignore[arg-type]
        with pytest.raises(Http404):
            permissions.access_prompt(author, prompt_id=bad)  # type: ignore[arg-type]
        with pytest.raises(Http404):
            permissions.access_assessment(author, assessment_id=bad)  # type: ignore[arg-type]


def test_a_member_who_leaves_stops_reading_the_cohorts_entries(world: dict[str, Any]) -> None:
    from cohorts.models import Membership
    from cohorts.services import membership_leave

    co_member = world["people"]["co_member"]
    membership_leave(membership=Membership.objects.get(user=co_member, role="member"))
    assert entry_row(as_role(world, "co_member"), world["entries"]["cohort"]) == "-"
    assert prompt_row(as_role(world, "co_member"), world["prompt"]) == "-"


def test_an_inactive_account_reads_nothing(world: dict[str, Any]) -> None:
    author = world["people"]["author"]
    User.objects.filter(pk=author.pk).update(is_active=False)
    user = as_role(world, "author")
    assert [entry_row(user, world["entries"][name]) for name in ENTRIES] == ["-"] * 4
    assert not assessment_cell(user, world["assessment"])


def test_reading_what_one_may_see_costs_the_same_at_3_and_30_entries(
    world: dict[str, Any], write: Callable[..., Entry]
) -> None:
    """The selector and the per-entry checks ask the database a fixed number of times,
    however many entries there are (no permission check per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run() -> tuple[int, int]:
        fac = as_role(world, "facilitator")
        with CaptureQueriesContext(connection) as queries:
            listed = list(permissions.entries_visible_to(fac).select_related("author"))
            for entry in listed:
                permissions.can_view_entry(fac, entry)
                permissions.can_comment(fac, entry)
        return len(queries.captured_queries), len(listed)

    few_queries, few = run()
    for n in range(27):
        write(title=f"More {n}", visibility=("private", "facilitators", "cohort")[n % 3])
    many_queries, many = run()
    assert (few, many) == (2, 20)
    assert many_queries == few_queries <= 3
