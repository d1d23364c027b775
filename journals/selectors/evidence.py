"""How an entry's evidence shows to a reader, and what a person may pick to cite.

Every item is resolved for the *viewer*, never for the author: a reader who may not open
what an item points at sees only its kind, a neutral label and the author's annotation
(never the target's title); an item whose target was deleted, hidden or withdrawn shows
as no longer available, its annotation kept. Each kind is resolved in one batch, so
showing an entry costs the same few queries whether it cites two things or forty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from journals import permissions
from journals.models import Entry, Evidence

Kind = Evidence.Kind

# What a reader sees in place of a target they may not open, by kind. Neutral: it says
# what kind of thing it is, nothing about which one.
CANNOT_SEE = {
    Kind.RESOURCE: "A resource you cannot see",
    Kind.POST: "A discussion post you cannot see",
    Kind.SESSION: "A session you cannot see",
    Kind.GOAL: "A learning goal you cannot see",
    Kind.TRAINING: "A training you cannot see",
    Kind.URL: "A web link",
    Kind.FILE: "A file you cannot download",
}
# And in place of a target that was deleted, hidden or withdrawn.
GONE = {
    Kind.RESOURCE: "This resource is no longer available",
    Kind.POST: "This post is no longer available",
    Kind.SESSION: "This session is no longer available",
    Kind.GOAL: "This learning goal is no longer available",
    Kind.TRAINING: "This training completion is no longer available",
    Kind.URL: "This link is no longer available",
    Kind.FILE: "This file is no longer available",
}
# How many choices a picker offers (the newest first).
PICKER_LIMIT = 50
TARGET_KINDS = (Kind.RESOURCE, Kind.POST, Kind.SESSION, Kind.GOAL, Kind.TRAINING)


@dataclass(frozen=True)
class CompetencyRef:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class EvidenceView:
    """One piece of evidence as one viewer may see it. ``available`` False means the
    title is a neutral label and ``url`` is empty; ``reason`` says why ("gone": deleted,
    hidden or withdrawn; "cannot_see": the viewer may not open it)."""

    id: int
    kind: str
    kind_label: str
    available: bool
    title: str
    url: str
    detail: str
    annotation: str
    competency: CompetencyRef | None
    order: int
    reason: str = ""
    external: bool = False
    download: bool = False


@dataclass(frozen=True)
class Shown:
    """What a target shows when the viewer may open it."""

    title: str
    url: str
    detail: str
    external: bool = False
    download: bool = False


def _day(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- what each kind of target shows ---------------------------------------------------------


def show_resource(resource: Any, version: Any = None) -> Shown:
    kind = resource.get_kind_display().lower()
    contributor = resource.contributor.display_name if resource.contributor else "a former member"
    parts = [f"{kind[:1].upper()}{kind[1:]} shared by {contributor}"]
    url = resource.get_absolute_url()
    if version is not None:
        parts.append(f"version {version.number}")
        url = version.get_absolute_url()
    return Shown(resource.title, url, " · ".join(parts))


def show_post(post: Any) -> Shown:
    thread = post.thread
    url = f"{thread.get_absolute_url()}#post-{post.pk}"
    detail = f"Posted {_day(post.created_at)} in “{thread.title}”"
    return Shown(_excerpt(post.body) or f"A post in “{thread.title}”", url, detail)


def show_session(session: Any) -> Shown:
    detail = f"attended {_day(session.starts_at)} · {session.cohort.title}"
    if session.cancelled_at is not None:
        detail = f"{_day(session.starts_at)} (cancelled) · {session.cohort.title}"
    return Shown(session.title, session.get_absolute_url(), detail)


def show_goal(goal: Any) -> Shown:
    url = f"{goal.cohort.get_absolute_url()}#goals"
    return Shown(goal.title, url, f"{goal.get_status_display()} · {goal.cohort.title}")


def show_completion(completion: Any, *, linked: bool) -> Shown:
    training = completion.training
    hours = f"{completion.hours.normalize():f}" if completion.hours is not None else ""
    detail = f"completed {_day(completion.completed_on)}"
    if hours:
        detail += f", {hours} h"
    return Shown(training.title, training.get_absolute_url() if linked else "", detail)


def show_url(evidence: Evidence) -> Shown:
    host = urlsplit(evidence.url).hostname or ""
    return Shown(evidence.label or evidence.url, evidence.url, host, external=True)


def show_file(evidence: Evidence) -> Shown:
    stored = evidence.file
    assert stored is not None
    name = stored.original_name
    ext = name.rsplit(".", 1)[-1].upper() if "." in name else "File"
    detail = f"{ext} file, {filesizeformat(stored.size)}"
    url = reverse("files:download", args=[stored.pk])
    return Shown(evidence.label or name, url, detail, download=True)


# --- resolving an entry's evidence for a viewer ---------------------------------------------


def _ids(rows: Iterable[Evidence], attr: str) -> set[int]:
    return {getattr(row, attr) for row in rows if getattr(row, attr) is not None}


class _Access:
    """Which targets of a batch of evidence the viewer may open: one query per kind
    present (not per item), each through the owning app's own visibility rule."""

    def __init__(self, viewer: Any, rows: list[Evidence]) -> None:
        from cohorts.permissions import cohorts_with_content_for
        from discussions.permissions import threads_visible_to
        from resources.permissions import resources_visible_to
        from trainings.permissions import trainings_visible_to

        self.resources: set[int] = set()
        self.threads: set[int] = set()
        self.cohorts: set[int] = set()
        self.trainings: set[int] = set()
        resource_ids = _ids(rows, "resource_id")
        if resource_ids:
            self.resources = set(
                resources_visible_to(viewer)
                .filter(pk__in=resource_ids)
                .values_list("pk", flat=True)
            )
        thread_ids = {row.post.thread_id for row in rows if row.post is not None}
        if thread_ids:
            self.threads = set(
                threads_visible_to(viewer).filter(pk__in=thread_ids).values_list("pk", flat=True)
            )
        cohort_ids = {row.session.cohort_id for row in rows if row.session is not None}
        cohort_ids |= {row.goal.cohort_id for row in rows if row.goal is not None}
        if cohort_ids:
            self.cohorts = set(
                cohorts_with_content_for(viewer)
                .filter(pk__in=cohort_ids)
                .values_list("pk", flat=True)
            )
        training_ids = {row.completion.training_id for row in rows if row.completion is not None}
        if training_ids:
            self.trainings = set(
                trainings_visible_to(viewer)
                .filter(pk__in=training_ids)
                .values_list("pk", flat=True)
            )


def _resolve(row: Evidence, access: _Access) -> tuple[Shown | None, str]:
    """What ``row`` shows, or None with the reason it shows a label instead."""
    kind = row.kind
    if kind == Kind.RESOURCE:
        resource = row.resource
        if resource is None:
            return None, "gone"
        if resource.pk not in access.resources:
            # Deleted or hidden is withdrawn for everyone who cannot moderate it; anything
            # else is a resource this reader is not allowed to open.
            withdrawn = resource.deleted_at is not None or resource.hidden_at is not None
            return None, "gone" if withdrawn else "cannot_see"
        if row.resource_version_id is not None and row.resource_version is None:
            return None, "gone"
        return show_resource(resource, row.resource_version), ""
    if kind == Kind.POST:
        post = row.post
        if post is None:
            return None, "gone"
        if post.thread_id not in access.threads:
            return None, "cannot_see"
        if not post.is_visible:
            return None, "gone"
        return show_post(post), ""
    if kind == Kind.SESSION:
        session = row.session
        if session is None:
            return None, "gone"
        if session.cohort_id not in access.cohorts:
            return None, "cannot_see"
        return show_session(session), ""
    if kind == Kind.GOAL:
        goal = row.goal
        if goal is None:
            return None, "gone"
        if goal.cohort_id not in access.cohorts:
            return None, "cannot_see"
        return show_goal(goal), ""
    if kind == Kind.TRAINING:
        # The completion is the author's own record: shown to every reader of the entry;
        # the training's page is linked only for those who may open it.
        completion = row.completion
        if completion is None:
            return None, "gone"
        return show_completion(completion, linked=completion.training_id in access.trainings), ""
    if kind == Kind.URL:
        return (show_url(row), "") if row.url else (None, "gone")
    if kind == Kind.FILE:
        # A reader of the entry may download what it cites (the registered download
        # check says the same: the uploader, or a reader of an entry citing the file).
        return (show_file(row), "") if row.file is not None else (None, "gone")
    return None, "gone"


EVIDENCE_RELATED = (
    "resource__contributor",
    "resource_version",
    "post__thread__cohort",
    "session__cohort",
    "goal__cohort",
    "completion__training",
    "file",
    "competency",
)


def evidence_rows(entry: Entry) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(entry_id=entry.pk)
        .select_related(*EVIDENCE_RELATED)
        .order_by("order", "pk")
    )


def view_of(row: Evidence, access: _Access) -> EvidenceView:
    shown, reason = _resolve(row, access)
    competency = row.competency
    labels = CANNOT_SEE if reason == "cannot_see" else GONE
    return EvidenceView(
        id=row.pk,
        kind=row.kind,
        kind_label=Kind(row.kind).label,
        available=shown is not None,
        title=shown.title if shown else labels[Kind(row.kind)],
        url=shown.url if shown else "",
        detail=shown.detail if shown else "",
        annotation=row.annotation,
        competency=(
            CompetencyRef(competency.pk, competency.code, competency.title) if competency else None
        ),
        order=row.order,
        reason=reason,
        external=shown.external if shown else False,
        download=shown.download if shown else False,
    )


def evidence_for(viewer: Any, entry: Entry) -> list[EvidenceView]:
    """The entry's evidence as ``viewer`` may see it, in the author's order; nothing for
    someone who may not read the entry. A fixed number of queries (at most five)."""
    if not permissions.can_view_entry(viewer, entry):
        return []
    rows = list(evidence_rows(entry))
    if not rows:
        return []
    access = _Access(viewer, rows)
    return [view_of(row, access) for row in rows]


def evidence_view(viewer: Any, evidence: Evidence) -> EvidenceView:
    """One piece of evidence as ``viewer`` may see it (its edit page)."""
    rows = list(evidence_rows(evidence.entry).filter(pk=evidence.pk))
    if not rows:
        raise Evidence.DoesNotExist
    return view_of(rows[0], _Access(viewer, rows))


# --- what "use as evidence" names ------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRef:
    """``KIND:ID[:VERSION]`` as links name a target ("resource:12:3", "post:40")."""

    kind: str
    target: int
    version: int | None = None

    def __str__(self) -> str:
        tail = f":{self.version}" if self.version is not None else ""
        return f"{self.kind}:{self.target}{tail}"


def parse_ref(value: Any) -> EvidenceRef | None:
    """The reference in ``value``, or None when it names no citable kind and id."""
    parts = str(value or "").strip().split(":")
    if len(parts) not in (2, 3) or parts[0] not in TARGET_KINDS:
        return None
    numbers = []
    for part in parts[1:]:
        if not part.isdigit() or len(part) > 12 or int(part) <= 0:
            return None
        numbers.append(int(part))
    if len(numbers) == 2 and parts[0] != Kind.RESOURCE:
        return None
    return EvidenceRef(parts[0], numbers[0], numbers[1] if len(numbers) == 2 else None)


def describe_target(values: dict[str, Any]) -> Shown:
    """What a target checked by ``journals.services.evidence.evidence_target`` shows to the
    person citing it (they may see it: the check said so)."""
    if values.get("resource") is not None:
        return show_resource(values["resource"], values.get("resource_version"))
    if values.get("post") is not None:
        return show_post(values["post"])
    if values.get("session") is not None:
        return show_session(values["session"])
    if values.get("goal") is not None:
        return show_goal(values["goal"])
    if values.get("completion") is not None:
        return show_completion(values["completion"], linked=False)
    raise ValueError("nothing to describe")


# --- what a person may pick ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One choice of a picker: ``value`` is what the form submits."""

    value: int
    title: str
    detail: str


def _recent_posts(user: Any, limit: int) -> list[Target]:
    from discussions.models import Post
    from discussions.permissions import threads_visible_to

    posts = (
        Post.objects.filter(
            author_id=user.pk,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            thread__in=threads_visible_to(user).values("pk"),
        )
        .select_related("thread__cohort")
        .order_by("-created_at", "-pk")[:limit]
    )
    out = []
    for post in posts:
        shown = show_post(post)
        out.append(Target(post.pk, shown.title, shown.detail))
    return out


def _attended_sessions(user: Any, limit: int) -> list[Target]:
    from cohorts.models import Attendance, Session

    sessions = (
        Session.objects.filter(
            cohort_id__in=permissions.member_cohort_ids(user),
            attendance__user_id=user.pk,
            attendance__status=Attendance.Status.PRESENT,
        )
        .select_related("cohort")
        .order_by("-starts_at", "-pk")[:limit]
    )
    return [Target(s.pk, s.title, show_session(s).detail) for s in sessions]


def _goals(user: Any, limit: int) -> list[Target]:
    from cohorts.models import LearningGoal

    goals = (
        LearningGoal.objects.filter(cohort_id__in=permissions.member_cohort_ids(user))
        .select_related("cohort")
        .order_by("cohort__title", "created_at", "pk")[:limit]
    )
    return [Target(g.pk, g.title, show_goal(g).detail) for g in goals]


def _completions(user: Any, limit: int) -> list[Target]:
    from trainings.selectors import completions_of

    rows = completions_of(user).prefetch_related(None)[:limit]
    return [Target(c.pk, c.training.title, show_completion(c, linked=False).detail) for c in rows]


def _resources(user: Any, limit: int, query: str) -> list[Target]:
    from cohorts.permissions import cohorts_with_content_for
    from resources.permissions import resources_visible_to

    rows = resources_visible_to(user).select_related("contributor")
    words = query.split()
    if words:
        for word in words[:6]:
            rows = rows.filter(title__icontains=word[:60])
    else:
        # Without a search: the newest in the person's own cohorts, or their own.
        rows = rows.filter(
            Q(cohort__in=cohorts_with_content_for(user).values("pk")) | Q(contributor_id=user.pk)
        )
    out = []
    for resource in rows.order_by("-created_at", "-pk")[:limit]:
        shown = show_resource(resource)
        out.append(Target(resource.pk, shown.title, shown.detail))
    return out


def evidence_targets(
    user: Any, kind: str, *, query: str = "", limit: int = PICKER_LIMIT
) -> list[Target]:
    """What ``user`` may cite as evidence of ``kind`` (newest first), one query: their
    own visible posts, sessions they attended, goals of their cohorts, their training
    completions, resources they may see (matching ``query`` by title when given, else the
    newest in their cohorts). Links and files have no picker: an empty list."""
    if not getattr(user, "is_authenticated", False):
        return []
    if kind == Kind.POST:
        return _recent_posts(user, limit)
    if kind == Kind.SESSION:
        return _attended_sessions(user, limit)
    if kind == Kind.GOAL:
        return _goals(user, limit)
    if kind == Kind.TRAINING:
        return _completions(user, limit)
    if kind == Kind.RESOURCE:
        return _resources(user, limit, query.strip()[:200])
    return []


def mapped_competencies_first(entry: Entry | None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Competency choices grouped for a select: the entry's mapped ones first, then every
    competency of the default framework by credential area (two queries)."""
    from competencies.models import Competency

    groups: list[tuple[str, list[tuple[int, str]]]] = []
    mapped_ids: list[int] = []
    if entry is not None and entry.pk:
        mapped = list(
            entry.mappings.select_related("competency").order_by(
                "competency__area__order", "competency__order"
            )
        )
        mapped_ids = [m.competency_id for m in mapped]
        if mapped:
            groups.append(
                (
                    "Mapped to this entry",
                    [
                        (m.competency_id, f"{m.competency.code} {m.competency.title}")
                        for m in mapped
                    ],
                )
            )
    rows = (
        Competency.objects.filter(framework__is_default=True)
        .exclude(pk__in=mapped_ids)
        .select_related("area")
        .order_by("area__order", "order", "pk")
    )
    by_area: dict[str, list[tuple[int, str]]] = {}
    for competency in rows:
        by_area.setdefault(competency.area.name, []).append(
            (competency.pk, f"{competency.code} {competency.title}")
        )
    groups.extend(by_area.items())
    return groups
