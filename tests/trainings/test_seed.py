"""The trainings' demo data, seeded through the real command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from trainings import permissions, selectors
from trainings.models import Training

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def test_demo_trainings_show_every_state_and_the_conflict_rule() -> None:
    assert "Demo trainings: 8 created" in seed()
    statuses = sorted(Training.objects.values_list("status", flat=True))
    assert statuses.count("approved") == 6
    assert {"submitted", "changes_requested"} <= set(statuses)
    catalog = list(selectors.catalog(selectors.CatalogFilters()))
    assert len(catalog) == 5  # the expired one is not listed
    formats = {t.format for t in catalog}
    assert len(formats) >= 4 and any(t.is_free for t in catalog)
    assert any(not t.is_free for t in catalog)
    reviewer = User.objects.get(email="reviewer@example.org")
    extension = Training.objects.get(title="Community partnerships for extension staff")
    assert permissions.is_conflicted(reviewer, extension)
    assert extension in catalog
    assert not permissions.can_see_reviews(reviewer, extension)
    assert not permissions.can_review_training(reviewer, extension)
    member = User.objects.get(email="member@example.org")
    assert [c.training.title for c in selectors.completions_of(member)] == [
        "Foundations of community engagement"
    ]
    assert "already there" in seed()
    assert Training.objects.count() == 8
