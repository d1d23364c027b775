"""Evidence on an entry: what it cites, with an annotation and the competency it supports.
Evidence can only point at things the author may see when it is added."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from core.text import clean_input
from journals import permissions
from journals.models import EVIDENCE_PER_ENTRY, FILE_PURPOSE, Entry, Evidence
from journals.services.common import JournalError, competencies_from, field_error

Kind = Evidence.Kind


@dataclass
class EvidenceInput:
    """``target`` is the id of what is cited (a resource, post, session, goal or training
    completion); ``version`` a resource's file version number; ``url`` for a link;
    ``label`` names a link or an uploaded file; ``competency`` an object, id or code."""

    kind: str
    target: Any = None
    version: int | None = None
    url: str = ""
    label: str = ""
    annotation: str = ""
    competency: Any = None


def _int(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise JournalError("Choose what to cite.", field="target") from None
    if number <= 0:
        raise JournalError("Choose what to cite.", field="target")
    return number


_GONE = "You cannot cite that: it does not exist or you may not see it."


def _resource(author: User, data: EvidenceInput) -> dict[str, Any]:
    from resources.models import Resource
    from resources.permissions import can_view_resource

    resource = Resource.objects.select_related("cohort").filter(pk=_int(data.target)).first()
    if resource is None or not can_view_resource(author, resource):
        raise JournalError(_GONE, code="not_found", field="target")
    version = None
    if data.version not in (None, ""):
        version = resource.versions.filter(number=_int(data.version)).first()
        if version is None:
            raise JournalError("That resource has no such version.", field="version")
    return {"resource": resource, "resource_version": version}


def _post(author: User, data: EvidenceInput) -> dict[str, Any]:
    from discussions.models import Post
    from discussions.permissions import can_see_post_text

    post = Post.objects.select_related("thread__cohort").filter(pk=_int(data.target)).first()
    if post is None or not can_see_post_text(author, post):
        raise JournalError(_GONE, code="not_found", field="target")
    if post.author_id != author.pk:
        raise JournalError("Cite a post you wrote.", field="target")
    if not post.is_visible:
        raise JournalError("That post was deleted or hidden; cite another.", field="target")
    return {"post": post}


def _session(author: User, data: EvidenceInput) -> dict[str, Any]:
    from cohorts.models import Attendance, Session

    session = Session.objects.filter(pk=_int(data.target)).first()
    if session is None or session.cohort_id not in permissions.member_cohort_ids(author):
        raise JournalError(_GONE, code="not_found", field="target")
    attended = Attendance.objects.filter(
        session=session, user=author, status=Attendance.Status.PRESENT
    ).exists()
    if not attended:
        raise JournalError("Cite a session you attended.", field="target")
    return {"session": session}


def _goal(author: User, data: EvidenceInput) -> dict[str, Any]:
    from cohorts.models import LearningGoal

    goal = LearningGoal.objects.filter(pk=_int(data.target)).first()
    if goal is None or goal.cohort_id not in permissions.member_cohort_ids(author):
        raise JournalError(_GONE, code="not_found", field="target")
    return {"goal": goal}


def _training(author: User, data: EvidenceInput) -> dict[str, Any]:
    from trainings.models import Completion

    completion = Completion.objects.filter(pk=_int(data.target), user=author).first()
    if completion is None:
        raise JournalError(_GONE, code="not_found", field="target")
    return {"completion": completion}


def _url(author: User, data: EvidenceInput) -> dict[str, Any]:
    from resources.services import ResourceError, clean_url

    try:
        url = clean_url(data.url)
    except ResourceError as exc:
        raise JournalError(exc.message, field="url") from exc
    return {"url": url}


_TARGETS = {
    Kind.RESOURCE: _resource,
    Kind.POST: _post,
    Kind.SESSION: _session,
    Kind.GOAL: _goal,
    Kind.TRAINING: _training,
    Kind.URL: _url,
}


def evidence_target(*, by: User, data: EvidenceInput) -> dict[str, Any]:
    """The target ``data`` names, checked exactly as :func:`evidence_add` checks it (so a
    page offering "use as evidence" refuses what adding would refuse): the model fields
    to set, or :class:`JournalError`. Links are cleaned; files have no target here."""
    if data.kind not in _TARGETS:
        raise JournalError("Choose what kind of evidence it is.", field="kind")
    return _TARGETS[Kind(data.kind)](by, data)


def _texts(data: EvidenceInput) -> dict[str, Any]:
    values = clean_input(
        Evidence,
        {"label": (data.label or "").strip(), "annotation": (data.annotation or "").strip()},
        error=field_error,
    )
    competency = None
    if data.competency not in (None, ""):
        found = competencies_from([data.competency], field="competency")
        competency = found[0] if found else None
    values["competency"] = competency
    return values


@transaction.atomic
def evidence_add(*, entry: Entry, by: User, data: EvidenceInput, upload: Any = None) -> Evidence:
    """Cite something on the author's entry. An uploaded file goes through the shared
    upload module (type by content, size and scan checks)."""
    locked = Entry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or not permissions.can_edit_entry(by, locked):
        raise JournalError("Only its author adds evidence to an entry.", code="not_found")
    if data.kind not in Kind.values:
        raise JournalError("Choose what kind of evidence it is.", field="kind")
    if locked.evidence.count() >= EVIDENCE_PER_ENTRY:
        raise JournalError(f"An entry holds at most {EVIDENCE_PER_ENTRY} pieces of evidence.")
    values = _texts(data)
    if data.kind == Kind.FILE:
        if upload is None:
            raise JournalError("Choose a file to upload.", code="blank", field="file")
        from files.services import file_store

        stored = file_store(upload, by=by, purpose=FILE_PURPOSE)
        values["file"] = stored
        values["label"] = values["label"] or stored.original_name
    else:
        values.update(_TARGETS[Kind(data.kind)](by, data))
    if data.kind == Kind.URL and not values["label"]:
        values["label"] = values["url"]
    order = (locked.evidence.aggregate(top=Max("order"))["top"] or 0) + 1
    evidence = Evidence.objects.create(entry=locked, kind=data.kind, order=order, **values)
    _touch(locked)
    return evidence


def _touch(entry: Entry) -> None:
    """Evidence is a list with writes of its own: the entry shows as updated, but the version
    that guards its text stays, so an editor open in another tab is not told of a conflict
    its text does not have."""
    from django.utils import timezone

    entry.updated_at = timezone.now()
    entry.save(update_fields=["updated_at"])


def _locked_evidence(evidence: Evidence, by: User) -> Evidence:
    found = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("entry")
        .filter(pk=evidence.pk)
        .first()
    )
    if found is None or not permissions.can_edit_entry(by, found.entry):
        raise JournalError("Only its author changes an entry's evidence.", code="not_found")
    return found


@transaction.atomic
def evidence_update(
    *,
    evidence: Evidence,
    by: User,
    annotation: str,
    competency: Any = None,
    label: str | None = None,
) -> Evidence:
    found = _locked_evidence(evidence, by)
    values = _texts(
        EvidenceInput(
            kind=found.kind,
            label=found.label if label is None else label,
            annotation=annotation,
            competency=competency,
        )
    )
    if found.kind not in (Kind.URL, Kind.FILE):
        values["label"] = ""
    for name, value in values.items():
        setattr(found, name, value)
    found.save(update_fields=list(values))
    _touch(found.entry)
    return found


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: User) -> None:
    """Take a piece of evidence off the entry; a file uploaded for it goes with it (unless
    some other evidence still cites that file)."""
    found = _locked_evidence(evidence, by)
    entry = found.entry
    stored = found.file
    found.delete()
    if stored is not None and not Evidence.objects.filter(file=stored).exists():
        from files.services import file_delete

        file_delete(stored)
    _touch(entry)


@transaction.atomic
def evidence_move(*, evidence: Evidence, by: User, offset: int) -> None:
    """Move a piece of evidence up (-1) or down (+1) in its entry's order."""
    found = _locked_evidence(evidence, by)
    if not offset:
        return
    items = list(found.entry.evidence.order_by("order", "pk"))
    index = next(i for i, item in enumerate(items) if item.pk == found.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
    _touch(found.entry)
