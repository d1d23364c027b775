"""access_cohort: one lookup for every page, API view and feed, answering the same 404 for
a cohort that does not exist and one the person may not use that way."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from cohorts.models import Cohort
from cohorts.permissions import access_cohort

pytestmark = pytest.mark.django_db


def _refusal(user: object, slug: str, need: str) -> str:
    with pytest.raises(Http404) as refused:
        access_cohort(user, slug=slug, need=need)  # type: ignore[arg-type]
    return str(refused.value)


@pytest.mark.parametrize("need", ["view", "content", "take_part", "facilitate", "edit", "review"])
def test_missing_and_not_yours_are_the_same_not_found(
    need: str, draft_cohort: Cohort, outsider: User
) -> None:
    assert _refusal(outsider, draft_cohort.slug, need) == _refusal(outsider, "no-such", need)


def test_each_role_gets_what_its_need_allows(
    approved_cohort: Cohort,
    cohort_member: User,
    facilitator: User,
    outsider: User,
    staff: User,
) -> None:
    slug = approved_cohort.slug
    allowed = {
        "anonymous": {"view"},
        "outsider": {"view"},
        "member": {"view", "content", "take_part"},
        "facilitator": {"view", "content", "take_part", "facilitate"},
        "staff": {"view", "content", "review"},
    }
    people = {
        "anonymous": AnonymousUser(),
        "outsider": outsider,
        "member": cohort_member,
        "facilitator": facilitator,
        "staff": staff,
    }
    for role, person in people.items():
        for need in ("view", "content", "take_part", "facilitate", "edit", "review"):
            if need in allowed[role]:
                assert access_cohort(person, slug=slug, need=need) == approved_cohort  # type: ignore[arg-type]
            else:
                with pytest.raises(Http404):
                    access_cohort(person, slug=slug, need=need)  # type: ignore[arg-type]


def test_a_draft_is_seen_and_edited_only_by_its_facilitators_and_staff(
    draft_cohort: Cohort, facilitator: User, outsider: User, staff: User
) -> None:
    slug = draft_cohort.slug
    assert access_cohort(facilitator, slug=slug, need="edit") == draft_cohort
    assert access_cohort(staff, slug=slug) == draft_cohort
    with pytest.raises(Http404):
        access_cohort(staff, slug=slug, need="edit")
    with pytest.raises(Http404):
        access_cohort(outsider, slug=slug)


def test_staff_only_needs_are_refused_before_the_cohort_is_looked_up(
    approved_cohort: Cohort, outsider: User, django_assert_max_num_queries: object
) -> None:
    outsider = User.objects.get(pk=outsider.pk)
    with pytest.raises(Http404), django_assert_max_num_queries(1):  # type: ignore[operator]
        access_cohort(outsider, slug=approved_cohort.slug, need="review")
