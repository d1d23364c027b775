"""The task queue as it runs at scale: with REDIS_URL the tasks go to Redis through RQ, and
an `rqworker` started with the project's settings (worker class core.task_worker.TaskWorker)
runs them. A task enqueued by one process (here `manage.py shell`, standing in for daphne)
is run by the worker (another process), against the same PostgreSQL database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from accounts.models import Notification, User
from cohorts.models import Cohort
from cohorts.services import invitation_create
from discussions.models import Thread, ThreadSubscription
from discussions.services import post_create, thread_subscribe
from tests.services.servers import require_services, server_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_task_enqueued_in_one_process_is_run_by_the_rq_worker(
    thread: Thread, member: User, make_user: Callable[..., User], seat: Callable[..., Any]
) -> None:
    require_services()
    follower = make_user("follower@example.org", name="Fran Follower")
    seat(thread.cohort, follower)
    thread_subscribe(thread=thread, user=follower, level=ThreadSubscription.Level.FOLLOWING)
    post, _ = post_create(thread=thread, author=member, body="Heard through the queue")
    Notification.objects.filter(kind="discussions.reply").delete()
    env = server_env()
    enqueue = (
        "from django.conf import settings; "
        "assert settings.TASKS['default']['BACKEND'].startswith('django_tasks_rq'); "
        # Every rqworker runs tasks in its own process (no fork per task).
        "from django_rq.workers import get_worker_class; "
        "from core.task_worker import TaskWorker; "
        "assert get_worker_class() is TaskWorker; "
        "from discussions.tasks import post_announce; "
        f"print(post_announce.enqueue({post.pk}).id)"
    )
    queued = _manage("shell", "-c", enqueue, env=env)
    assert queued.returncode == 0, queued.stderr
    worker = _manage("rqworker", "default", "--burst", env=env)
    assert worker.returncode == 0, worker.stderr
    assert "Traceback" not in worker.stderr, worker.stderr
    (told,) = Notification.objects.filter(kind="discussions.reply")
    assert told.user == follower
    assert told.url.endswith(f"#post-{post.pk}")


def test_a_task_that_forgets_its_arguments_succeeds_on_the_rq_worker(
    cohort: Cohort, facilitator: User
) -> None:
    """The invitation mail blanks its stored arguments when it ends; only the database
    backend keeps them, and under RQ the task must still end as a success."""
    require_services()
    invitation, _ = invitation_create(cohort=cohort, by=facilitator, email="queued@example.net")
    env = {**server_env(), "EMAIL_URL": "consolemail://"}
    enqueue = (
        "from cohorts.tasks import invitation_mail_send; "
        f"print(invitation_mail_send.enqueue({invitation.pk}, 'Join us', 'the link').id)"
    )
    queued = _manage("shell", "-c", enqueue, env=env)
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.strip().splitlines()[-1]
    worker = _manage("rqworker", "default", "--burst", env=env)
    assert worker.returncode == 0, worker.stderr
    assert "To: queued@example.net" in worker.stdout  # the console mail backend's copy
    status = _manage(
        "shell",
        "-c",
        f"from cohorts.tasks import invitation_mail_send; "
        f"r = invitation_mail_send.get_result({job_id!r}); print(r.status, r.return_value)",
        env=env,
    )
    assert status.returncode == 0, status.stderr
    assert status.stdout.strip().splitlines()[-1] == "SUCCESSFUL True", worker.stderr
    # The finished job stays in Redis for a while, without the mail's text.
    kept = _manage(
        "shell",
        "-c",
        f"from django_rq import get_queue; job = get_queue('default').fetch_job({job_id!r}); "
        "print(repr((job.args, job.kwargs)), b'the link' in job.data)",
        env=env,
    )
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip().splitlines()[-1] == "((), {}) False"


def test_enqueueing_reuses_one_redis_connection_per_process() -> None:
    """Each enqueue used to build a new Redis client (a new pool, new connections and an
    INFO); a post enqueues its announcement inside the request, so it paid that each time."""
    require_services()
    count = (
        "import redis; from django.conf import settings; "
        "from django_rq import get_queue; from core.task_worker import KeptConnectionQueue; "
        "from discussions.tasks import post_announce; "
        "assert isinstance(get_queue('default'), KeptConnectionQueue); "
        "watch = redis.Redis.from_url(settings.REDIS_URL); "
        "post_announce.enqueue(0); "  # the first opens the process's connection
        "infos = lambda: watch.info('commandstats').get('cmdstat_info', {}).get('calls', 0); "
        "before = watch.info('stats')['total_connections_received']; "
        "asked = infos(); "
        "ids = [post_announce.enqueue(0).id for _ in range(30)]; "
        "asked = infos() - asked - 1; "  # less the reading of the counter itself
        "after = watch.info('stats')['total_connections_received']; "
        "queue = get_queue('default'); "
        "assert len(set(ids)) == 30 and all(queue.fetch_job(i) for i in ids); "
        "[queue.remove(i) for i in ids]; "
        "print(after - before, asked)"
    )
    ran = _manage("shell", "-c", count, env=server_env())
    assert ran.returncode == 0, ran.stderr
    opened, asked = map(int, ran.stdout.strip().splitlines()[-1].split())
    # Other processes of the suite may connect (and ask) meanwhile; the old path opened a
    # connection and asked the server's version for each of the 30.
    assert opened < 10
    assert asked < 10
