"""Helpers for background tasks (``django_tasks``; README "Background tasks")."""

from __future__ import annotations

from django_tasks import TaskContext
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def forget_arguments(context: TaskContext) -> None:
    """Blank the stored arguments of the running task, for tasks that carry a secret (an
    invitation link) that must not outlive the task in the database backend's table.

    Only that backend keeps a task's arguments in a table: RQ expires a finished job (and
    its arguments) from Redis on its own, and the immediate backend of the tests keeps
    none. Their result ids are not the table's UUIDs, so nothing is looked up for them."""
    result = context.task_result
    if not isinstance(result.task.get_backend(), DatabaseBackend):
        return
    DBTaskResult.objects.filter(pk=result.id).update(args_kwargs={"args": [], "kwargs": {}})
