"""The participation view counts discussion posts too (counts only, never content)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions.services import post_create, post_delete, thread_create

pytestmark = pytest.mark.django_db


def test_participation_counts_each_members_visible_posts(
    active_cohort: Cohort,
    add_members: Callable[[Cohort, int], list[User]],
    fac_client: Client,
) -> None:
    writer, other = add_members(active_cohort, 2)
    thread = thread_create(
        cohort=active_cohort, author=writer, title="Secret title", body="Private words"
    )
    post_create(thread=thread, author=writer, body="More private words")
    gone, _ = post_create(thread=thread, author=writer, body="Deleted words")
    post_delete(post=gone, by=writer)
    html = fac_client.get(
        reverse("participation:cohort", args=[active_cohort.slug])
    ).content.decode()
    assert ">Posts<" in html.replace(" ", "") or "Posts" in html
    writer_row = html.split(writer.display_name, 1)[1].split("</tr>", 1)[0]
    other_row = html.split(other.display_name, 1)[1].split("</tr>", 1)[0]
    assert ">2<" in writer_row.replace(" ", "").replace("\n", "")
    assert ">0<" in other_row.replace(" ", "").replace("\n", "")
    assert "Private words" not in html and "Secret title" not in html
