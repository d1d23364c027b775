"""``manage.py purge_resources`` (a daily cron job): resources deleted more than 30 days
ago and cited nowhere go for good, files included; recent or cited ones stay."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from files.models import StoredFile
from resources import services
from resources.models import RESTORE_DAYS, FileVersion, Resource

pytestmark = pytest.mark.django_db


def _deleted(resource: Resource, by: User, days_ago: int) -> None:
    services.resource_delete(resource=resource, by=by)
    Resource.objects.filter(pk=resource.pk).update(
        deleted_at=timezone.now() - timedelta(days=days_ago)
    )


def test_purge_resources_removes_only_long_deleted_uncited_ones(
    share: Callable[..., Resource],
    member: User,
    facilitator: User,
    home: Cohort,
    add_session: Callable[..., object],
) -> None:
    old = share("file", title="Old file")
    recent = share("link", title="Recently deleted")
    cited = share("note", title="Session reading")
    kept = share("link", title="Still here")
    services.session_material_add(session=add_session(home), by=facilitator, resource=cited)
    _deleted(old, member, RESTORE_DAYS + 1)
    _deleted(recent, member, RESTORE_DAYS - 1)
    _deleted(cited, member, RESTORE_DAYS + 5)
    stored_id = FileVersion.objects.get(resource=old).file_id

    out = io.StringIO()
    call_command("purge_resources", stdout=out)

    assert out.getvalue().strip() == "Purged 1 resource."
    assert set(Resource.objects.values_list("title", flat=True)) == {
        "Recently deleted",
        "Session reading",
        "Still here",
    }
    assert not StoredFile.objects.filter(pk=stored_id).exists()
    assert Resource.objects.get(pk=kept.pk).deleted_at is None
    out = io.StringIO()
    call_command("purge_resources", stdout=out)
    assert out.getvalue().strip() == "Purged 0 resources."
