"""Helpers for background tasks (``django_tasks``; README "Background tasks")."""

from __future__ import annotations

from django_tasks import TaskContext
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def forget_arguments(context: TaskContext) -> None:
    """Blank the stored arguments of the running task, for tasks that carry a secret (an
    invitation link) that must not outlive the task where the queue keeps it.

    - The database backend keeps them in its table: the row is blanked.
    - RQ keeps them in the job's hash in Redis, for 500 s after a success and a year after a
      failure: the running job's arguments are blanked, and the worker writes the job
      without them when the task ends, whichever way it ends.
    - The immediate backend of the tests keeps none.
    """
    result = context.task_result
    if isinstance(result.task.get_backend(), DatabaseBackend):
        DBTaskResult.objects.filter(pk=result.id).update(args_kwargs={"args": [], "kwargs": {}})
        return
    from rq import get_current_job

    job = get_current_job()
    if job is not None and job.id == result.id:
        job.args, job.kwargs = (), {}
