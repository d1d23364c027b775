"""The generic export helper (files.exports): request, build with progress, download only
by the owner until expiry, failure cleanup, purge."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.errors import ServiceError
from files import exports
from files.exports import (
    BuiltFile,
    Progress,
    access_export,
    export_request,
    export_run,
    export_workdir,
    exports_dir,
    exports_for,
    exports_purge,
    register_exporter,
    unregister_exporter,
)
from files.models import Export

seen_progress: list[tuple[int, str]] = []
finished: list[str] = []


def build_text(export: Export, progress: Progress) -> BuiltFile:
    work = export_workdir(export)
    out = work / "out.txt"
    with out.open("w") as handle:
        for step in range(5):
            handle.write(f"line {step}\n")
            progress(step * 20, f"step {step}")
            seen_progress.append(
                tuple(Export.objects.values_list("progress", "message").get(pk=export.pk))  # type: ignore[arg-type]
            )
    return BuiltFile(out, "notes.txt", "text/plain; charset=utf-8")


def build_broken(export: Export, progress: Progress) -> BuiltFile:
    work = export_workdir(export)
    (work / "half.txt").write_text("half")
    progress(50, "halfway")
    raise RuntimeError("disk on fire")


def build_refused(export: Export, progress: Progress) -> BuiltFile:
    raise ServiceError("That packet is gone.", code="not_found")


@pytest.fixture(autouse=True)
def kinds() -> Iterator[None]:
    seen_progress.clear()
    finished.clear()
    register_exporter("test.text", build_text, on_done=lambda e: finished.append(str(e.pk)))
    register_exporter("test.broken", build_broken)
    register_exporter("test.refused", build_refused)
    yield
    for kind in ("test.text", "test.broken", "test.refused"):
        unregister_exporter(kind)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks: Any) -> Callable[..., Export]:
    """Request an export and run its task as the commit does (tests run tasks at once)."""

    def request(owner: User, kind: str = "test.text", **kwargs: Any) -> Export:
        with django_capture_on_commit_callbacks(execute=True):
            export = export_request(owner=owner, kind=kind, **kwargs)
        export.refresh_from_db()
        return export

    return request


def test_export_is_built_by_the_task_with_progress_saved_as_it_goes(
    member: User, run_now: Callable[..., Export]
) -> None:
    export = run_now(member, label="My notes", subject="7")
    assert export.status == Export.Status.DONE
    assert export.progress == 100
    assert [p for p, _ in seen_progress] == [0, 20, 40, 60, 80]
    assert seen_progress[2] == (40, "step 2")
    assert export.filename == "notes.txt"
    assert export.path is not None and export.path.read_text().startswith("line 0")
    assert export.size == export.path.stat().st_size
    assert export.started_at is not None and export.finished_at is not None
    assert finished == [str(export.pk)]
    # The work directory is gone; only the finished file stays.
    assert not (exports_dir() / "work" / str(export.pk)).exists()


def test_request_waits_for_commit_and_refuses_unknown_kinds(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(owner=member, kind="test.text")
    assert len(callbacks) == 1
    assert Export.objects.get(pk=export.pk).status == Export.Status.PENDING
    with pytest.raises(ServiceError) as refused:
        export_request(owner=member, kind="no.such")
    assert refused.value.code == "invalid"


def test_too_many_exports_on_the_way_are_refused_as_rate_limited(
    member: User, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(exports.MAX_ACTIVE):
            export_request(owner=member, kind="test.text")
        with pytest.raises(ServiceError) as refused:
            export_request(owner=member, kind="test.text")
        assert refused.value.code == "rate_limited"
        # Someone else is not held up by it.
        export_request(owner=outsider, kind="test.text")
    assert Export.objects.filter(owner=member).count() == exports.MAX_ACTIVE


def test_abandoned_exports_do_not_count_and_purge_marks_them_failed(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        stuck = [export_request(owner=member, kind="test.text") for _ in range(3)]
    Export.objects.filter(pk__in=[e.pk for e in stuck]).update(
        created_at=timezone.now() - timedelta(hours=3)
    )
    with django_capture_on_commit_callbacks(execute=False):
        export_request(owner=member, kind="test.text")  # not refused
    exports_purge()
    assert set(
        Export.objects.filter(pk__in=[e.pk for e in stuck]).values_list("status", flat=True)
    ) == {Export.Status.FAILED}


def test_failed_build_is_marked_failed_with_a_message_and_leaves_no_files(
    member: User, run_now: Callable[..., Export]
) -> None:
    export = run_now(member, kind="test.broken")
    assert export.status == Export.Status.FAILED
    assert export.error == exports.FAILED_MESSAGE  # not the internal error
    assert "disk" not in export.error
    assert export.storage_name == ""
    assert not (exports_dir() / "work" / str(export.pk)).exists()
    assert not any(p.is_file() for p in exports_dir().rglob("*"))


def test_failed_build_with_a_service_error_shows_its_message(
    member: User, run_now: Callable[..., Export]
) -> None:
    export = run_now(member, kind="test.refused")
    assert export.status == Export.Status.FAILED
    assert export.error == "That packet is gone."


def test_a_task_delivered_twice_builds_once(member: User, run_now: Callable[..., Export]) -> None:
    export = run_now(member)
    assert export_run(export_id=export.pk) == "skipped"
    assert finished == [str(export.pk)]


def test_exports_for_lists_unexpired_own_exports_newest_first(
    member: User, outsider: User, run_now: Callable[..., Export]
) -> None:
    first = run_now(member, subject="1")
    second = run_now(member, subject="2")
    run_now(outsider, subject="1")
    old = run_now(member, subject="1")
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert list(exports_for(member)) == [second, first]
    assert list(exports_for(member, kind="test.text", subject="1")) == [first]
    assert list(exports_for(member, kind="other")) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("outsider", 404), ("staff", 404), ("anonymous", 404)],
)
def test_export_download_visibility(
    who: str,
    status: int,
    member: User,
    outsider: User,
    staff: User,
    run_now: Callable[..., Export],
    client_for: Callable[[User | None], Client],
) -> None:
    export = run_now(member)
    user = {"owner": member, "outsider": outsider, "staff": staff, "anonymous": None}[who]
    client = client_for(user)
    for name in ("files:export_download", "files:export_status", "files:export"):
        response = client.get(reverse(name, args=[export.pk]))
        assert response.status_code == status, name


def test_export_download_is_an_attachment_that_is_never_sniffed_or_cached(
    member: User, run_now: Callable[..., Export], member_client: Client
) -> None:
    export = run_now(member)
    response = member_client.get(reverse("files:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"line 0")  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="notes.txt"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_expired_export_is_gone_for_its_owner_too(
    member: User, run_now: Callable[..., Export], member_client: Client
) -> None:
    export = run_now(member)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert member_client.get(reverse("files:export_download", args=[export.pk])).status_code == 404
    with pytest.raises(Exception) as missing:
        access_export(member, export.pk)
    assert missing.type.__name__ == "Http404"


def test_access_export_refuses_malformed_ids_as_not_found(member: User) -> None:
    with pytest.raises(Exception) as missing:
        access_export(member, "not-a-uuid")
    assert missing.type.__name__ == "Http404"


def test_unfinished_export_cannot_be_downloaded(
    member: User, member_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        export = export_request(owner=member, kind="test.text")
    assert member_client.get(reverse("files:export_download", args=[export.pk])).status_code == 404


def test_status_json_reports_progress_and_the_download_url_when_done(
    member: User,
    run_now: Callable[..., Export],
    member_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        waiting = export_request(owner=member, kind="test.text")
    Export.objects.filter(pk=waiting.pk).update(progress=30, status="running", message="Pages")
    body = json.loads(member_client.get(reverse("files:export_status", args=[waiting.pk])).content)
    assert (body["status"], body["progress"], body["message"]) == ("running", 30, "Pages")
    assert body["download_url"] is None

    done = run_now(member)
    body = json.loads(member_client.get(reverse("files:export_status", args=[done.pk])).content)
    assert body["status"] == "done" and body["progress"] == 100
    assert body["download_url"] == reverse("files:export_download", args=[done.pk])


def test_status_page_refreshes_itself_until_done(
    member: User,
    run_now: Callable[..., Export],
    member_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        waiting = export_request(owner=member, kind="test.text", label="Notes")
    page = member_client.get(reverse("files:export", args=[waiting.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert "<progress" in page
    done = run_now(member, label="Notes")
    page = member_client.get(reverse("files:export", args=[done.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert reverse("files:export_download", args=[done.pk]) in page


def test_status_page_back_link_only_to_this_site(
    member: User, run_now: Callable[..., Export], member_client: Client
) -> None:
    done = run_now(member)
    url = reverse("files:export", args=[done.pk])
    assert 'href="/journal/"' in member_client.get(url + "?next=/journal/").content.decode()
    assert (
        "evil.example"
        not in member_client.get(url + "?next=https://evil.example/").content.decode()
    )


def test_purge_command_deletes_expired_rows_and_files(
    member: User, run_now: Callable[..., Export]
) -> None:
    kept = run_now(member)
    gone = run_now(member)
    gone_path = gone.path
    assert isinstance(gone_path, Path) and gone_path.exists()
    Export.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "Purged 1 export." in out.getvalue()
    assert not Export.objects.filter(pk=gone.pk).exists()
    assert not gone_path.exists()
    assert kept.path is not None and kept.path.exists()


def test_deleting_the_owner_deletes_their_exports(
    member: User, run_now: Callable[..., Export]
) -> None:
    run_now(member)
    member.delete()
    assert Export.objects.count() == 0


def test_exports_list_query_count_does_not_grow(
    member: User,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def request(n: int) -> None:
        Export.objects.bulk_create(
            Export(owner=member, kind="test.text", expires_at=timezone.now() + timedelta(hours=1))
            for _ in range(n)
        )

    request(3)
    with django_assert_max_num_queries(1):
        assert len(list(exports_for(member))) == 3
    request(27)
    with django_assert_max_num_queries(1):
        assert len(list(exports_for(member))) == 30
