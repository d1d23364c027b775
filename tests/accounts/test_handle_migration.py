"""The migration that brings @handles gives the people already there one each, in the
order they joined (first come, first served), as a new account would get."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_notification_preferences")]
AFTER = [("accounts", "0004_user_handle")]


@pytest.mark.django_db(transaction=True)
def test_existing_people_get_handles_in_the_order_they_joined() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    people = [
        ("zed@example.org", "Ann Lee"),
        ("aaa@example.org", "Ann Lee"),  # sorts first by e-mail, joined second
        ("admin@example.org", ""),
        ("x@example.org", "李"),
        ("jo.smith@example.org", ""),
    ]
    ids = [old.objects.create(email=email, name=name, password="!").pk for email, name in people]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("accounts", "User")
    handles = [new.objects.get(pk=pk).handle for pk in ids]
    assert handles == ["ann-lee", "ann-lee-2", "admin-2", "x-2", "josmith"]
