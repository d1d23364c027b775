"""Helpers for background tasks (``django_tasks``; README "Background tasks")."""

from __future__ import annotations

from django_tasks import TaskContext
from django_tasks_db.models import DBTaskResult


def forget_arguments(context: TaskContext) -> None:
    """Blank the stored arguments of the running task, for tasks that carry a secret (an
    invitation link) that must not outlive the task in the database backend's table. Other
    backends keep no copy once the task has run (RQ expires finished jobs)."""
    DBTaskResult.objects.filter(pk=context.task_result.id).update(
        args_kwargs={"args": [], "kwargs": {}}
    )
