"""Writes to the repertoire. Pages, the API, the seeder and commands call these; each checks
the rule it needs through :mod:`resources.permissions` (defence in depth: the caller has
already fetched the object with an access function)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Session
from competencies.models import Area, Competency
from core.errors import ServiceError
from core.markdown import plain_text, render_markdown
from core.realtime import publish_on_commit
from core.text import clean_input, is_single_line
from files.services import Upload, file_store
from resources import permissions, search_index
from resources.events import cohort_group, resource_event
from resources.models import (
    FILE_PURPOSE,
    RESTORE_DAYS,
    TAG_MAX,
    TAGS_PER_RESOURCE,
    Collection,
    CollectionItem,
    FileVersion,
    Resource,
    Tag,
    UsefulMark,
)


class ResourceError(ServiceError):
    """A repertoire request the rules refuse; ``field`` names the input it is about (forms
    show the message there), when there is one."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


_LABELS = {"Title": "title", "Description": "description", "Body": "body", "Source": "source"}


def _error(message: str) -> ResourceError:
    """A model text rule broken (the message starts with the field's label)."""
    label = message.split(":", 1)[0]
    return ResourceError(message, field=_LABELS.get(label))


# --- checks shared by create and edit -------------------------------------------------------


def clean_url(url: str) -> str:
    """An http(s) address with a host, or a clear refusal (no javascript:, data:, file:)."""
    url = (url or "").strip()
    if not url:
        raise ResourceError(
            "Give the link's address (starting with https://).", code="blank", field="url"
        )
    if len(url) > 2000:
        raise ResourceError(
            "An address can be at most 2,000 characters.", code="too_long", field="url"
        )
    if not is_single_line(url) or " " in url:
        raise ResourceError(
            "A web address (http:// or https://) cannot contain spaces or line breaks.", field="url"
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ResourceError(
            "Links must be web addresses starting with http:// or https://.", field="url"
        )
    return url


def clean_tags(names: Iterable[str]) -> list[str]:
    """Tags as typed, trimmed, without repeats (case-insensitive), at most 12."""
    seen: dict[str, str] = {}
    for raw in names:
        for part in str(raw).split(","):
            name = " ".join(part.split())
            if not name:
                continue
            if len(name) > TAG_MAX:
                raise ResourceError(
                    f"A tag can be at most {TAG_MAX} characters: “{name[:60]}”.", field="tags"
                )
            if not is_single_line(name):
                raise ResourceError("Tags cannot contain control characters.", field="tags")
            seen.setdefault(name.casefold(), name)
    if len(seen) > TAGS_PER_RESOURCE:
        raise ResourceError(f"Use at most {TAGS_PER_RESOURCE} tags.", field="tags")
    return list(seen.values())


def _tags(names: Sequence[str]) -> list[Tag]:
    """Existing tags are reused whatever the case they were typed in; new ones are made.
    (At most 12 per resource, so one lookup each is fine for a write.)"""
    out: list[Tag] = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:  # someone made it meanwhile
                tag = Tag.objects.get(name=name)
        out.append(tag)
    return out


def _competencies(cohort: Cohort, codes_or_objects: Iterable[Any]) -> list[Competency]:
    wanted = list(codes_or_objects)
    if not wanted:
        return []
    objects = [c for c in wanted if isinstance(c, Competency)]
    codes = [str(c) for c in wanted if not isinstance(c, Competency)]
    found = list(Competency.objects.filter(framework_id=cohort.framework_id, code__in=codes)) + [
        c for c in objects if c.framework_id == cohort.framework_id
    ]
    if len({c.pk for c in found}) != len(set(codes)) + len({c.pk for c in objects}):
        raise ResourceError(
            "Choose competencies from the cohort's framework.", field="competencies"
        )
    return found


def _areas(cohort: Cohort, slugs_or_objects: Iterable[Any]) -> list[Area]:
    wanted = list(slugs_or_objects)
    if not wanted:
        return []
    objects = [a for a in wanted if isinstance(a, Area)]
    slugs = [str(a) for a in wanted if not isinstance(a, Area)]
    found = list(Area.objects.filter(framework_id=cohort.framework_id, slug__in=slugs)) + [
        a for a in objects if a.framework_id == cohort.framework_id
    ]
    if len({a.pk for a in found}) != len(set(slugs)) + len({a.pk for a in objects}):
        raise ResourceError("Choose credential areas from the cohort's framework.", field="areas")
    return found


def _search_text(resource: Resource, tag_names: Sequence[str], file_text: str = "") -> str:
    parts = [" ".join(tag_names)]
    if resource.kind == Resource.Kind.NOTE:
        parts.append(plain_text(resource.body_html))
    if resource.kind == Resource.Kind.LINK:
        parts.append(resource.url)
    if file_text:
        parts.append(file_text)
    if resource.source:
        parts.append(resource.source)
    return "\n".join(p for p in parts if p)[: search_index.INDEXED_CHARS]


def _current_file_text(resource: Resource) -> str:
    version = resource.current_version
    return version.file.text if version is not None else ""


def reindex(resource: Resource) -> None:
    """Recompute what search reads of ``resource`` and store it (same transaction)."""
    tag_names = [t.name for t in resource.tags.all()]
    resource.search_text = _search_text(resource, tag_names, _current_file_text(resource))
    Resource.objects.filter(pk=resource.pk).update(search_text=resource.search_text)
    search_index.index_resource(resource)


@dataclass
class ResourceInput:
    """What a person fills in; the same for the page form, the API and the seeder."""

    title: str = ""
    description: str = ""
    url: str = ""
    body: str = ""
    scope: str = Resource.Scope.COHORT
    licence: str = ""
    source: str = ""
    areas: Sequence[Any] = ()
    competencies: Sequence[Any] = ()
    tags: Sequence[str] = ()


def _checked(kind: str, data: ResourceInput) -> dict[str, Any]:
    values = clean_input(
        Resource,
        {
            "title": (data.title or "").strip(),
            "description": data.description or "",
            "body": data.body or "",
            "source": (data.source or "").strip(),
        },
        error=_error,
    )
    if not values["title"]:
        raise ResourceError("Give the resource a title.", code="blank", field="title")
    if data.scope not in Resource.Scope.values:
        raise ResourceError(
            "Choose who may see it: this cohort, everyone signed in, or public.", field="scope"
        )
    if data.licence not in Resource.Licence.values:
        raise ResourceError(
            "Choose a licence from the list, or leave it unstated.", field="licence"
        )
    values["scope"] = data.scope
    values["licence"] = data.licence
    if kind == Resource.Kind.LINK:
        values["url"] = clean_url(data.url)
    else:
        values["url"] = ""
    if kind == Resource.Kind.NOTE and not values["body"].strip():
        raise ResourceError("Write the note's text.", code="blank", field="body")
    if kind != Resource.Kind.NOTE:
        values["body"] = ""
    return values


# --- create, edit, versions -----------------------------------------------------------------


@transaction.atomic
def resource_create(
    *,
    cohort: Cohort,
    by: User,
    kind: str,
    data: ResourceInput,
    upload: Upload | None = None,
    version_note: str = "",
) -> Resource:
    """Share a link, a file or a note into ``cohort``. Any active member may. The file goes
    through the upload module (type by content, size, scan) before anything is stored."""
    if kind not in Resource.Kind.values:
        raise ResourceError("Choose a kind: a link, a file or a note.", field="kind")
    if not permissions.can_add_resource(by, cohort):
        raise ResourceError("Only active members add resources to this cohort.", code="forbidden")
    values = _checked(kind, data)
    tag_names = clean_tags(data.tags)
    competencies = _competencies(cohort, data.competencies)
    areas = _areas(cohort, data.areas)
    if kind == Resource.Kind.FILE and upload is None:
        raise ResourceError("Choose a file to upload.", code="blank", field="file")
    note = _version_note(version_note)
    now = timezone.now()
    resource = Resource(
        cohort=cohort,
        kind=kind,
        contributor=by,
        created_at=now,
        updated_at=now,
        description_html=render_markdown(values["description"]),
        body_html=render_markdown(values["body"]) if kind == Resource.Kind.NOTE else "",
        **values,
    )
    resource.save()
    resource.tags.set(_tags(tag_names))
    resource.competencies.set(competencies)
    resource.areas.set(areas)
    file_text = ""
    if kind == Resource.Kind.FILE:
        assert upload is not None
        stored = file_store(upload, by=by, purpose=FILE_PURPOSE)
        version = FileVersion.objects.create(
            resource=resource, number=1, file=stored, note=note, uploaded_by=by, created_at=now
        )
        resource.current_version = version
        Resource.objects.filter(pk=resource.pk).update(current_version=version)
        file_text = stored.text
    resource.search_text = _search_text(resource, tag_names, file_text)
    Resource.objects.filter(pk=resource.pk).update(search_text=resource.search_text)
    search_index.index_resource(resource)
    _announce(resource)
    return resource


def _version_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > 500:
        raise ResourceError(
            "A version note can be at most 500 characters.", code="too_long", field="note"
        )
    return note


def _announce(resource: Resource) -> None:
    """Open repertoire pages hear about it at once; members are told in the background."""
    if resource.hidden_at is None and resource.deleted_at is None:
        publish_on_commit(cohort_group(resource.cohort_id), resource_event(resource))
    from resources.tasks import notify_new_resource

    transaction.on_commit(lambda: notify_new_resource.enqueue(resource.pk), robust=True)


def _announce_update(resource: Resource) -> None:
    """Open repertoire pages hear about an edit, unless the resource is hidden (its
    contributor may still edit it, but the cohort must not see its new title)."""
    if resource.hidden_at is None and resource.deleted_at is None:
        publish_on_commit(
            cohort_group(resource.cohort_id), resource_event(resource, "resource.updated")
        )


@transaction.atomic
def resource_edit(
    *, resource: Resource, by: User, data: ResourceInput, version: int | None = None
) -> Resource:
    """The contributor edits their own resource. ``version`` is the one the edit was based
    on: a stale one is refused (nothing is overwritten) so two tabs never silently clash."""
    locked = Resource.objects.select_for_update().select_related("cohort").get(pk=resource.pk)
    if not permissions.can_edit_resource(by, locked):
        raise ResourceError("Only its contributor edits a resource.", code="forbidden")
    if version is not None and version != locked.version:
        raise ResourceError(
            "Someone changed this resource since you opened it. Your text is kept below; "
            "compare it with the current one and save again.",
            code="stale",
        )
    values = _checked(locked.kind, data)
    tag_names = clean_tags(data.tags)
    competencies = _competencies(locked.cohort, data.competencies)
    areas = _areas(locked.cohort, data.areas)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.description_html = render_markdown(locked.description)
    locked.body_html = render_markdown(locked.body) if locked.kind == Resource.Kind.NOTE else ""
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(
        update_fields=[
            *values.keys(),
            "description_html",
            "body_html",
            "version",
            "updated_at",
        ]
    )
    locked.tags.set(_tags(tag_names))
    locked.competencies.set(competencies)
    locked.areas.set(areas)
    reindex(locked)
    _announce_update(locked)
    return locked


@transaction.atomic
def resource_add_version(
    *, resource: Resource, by: User, upload: Upload, note: str = ""
) -> FileVersion:
    """A new version of a file resource becomes the current one; older ones stay."""
    locked = Resource.objects.select_for_update().select_related("cohort").get(pk=resource.pk)
    if locked.kind != Resource.Kind.FILE:
        raise ResourceError("Only file resources have versions.")
    if not (
        permissions.can_edit_resource(by, locked) or permissions.can_moderate_resource(by, locked)
    ):
        raise ResourceError(
            "Only the contributor or a facilitator uploads a new version.", code="forbidden"
        )
    if locked.deleted_at is not None:
        raise ResourceError("Restore the resource before uploading a new version.")
    note = _version_note(note)
    stored = file_store(upload, by=by, purpose=FILE_PURPOSE)
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FileVersion.objects.create(
        resource=locked, number=number, file=stored, note=note, uploaded_by=by
    )
    locked.current_version = version
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["current_version", "version", "updated_at"])
    reindex(locked)
    _announce_update(locked)
    return version


def file_text_ready(stored: Any) -> None:
    """Listener of the upload module: the text of a resource file was extracted. If it is
    the current version of its resource, search now reads it (same transaction)."""
    with transaction.atomic():
        resource = (
            Resource.objects.select_related("current_version__file")
            .filter(current_version__file_id=stored.pk)
            .first()
        )
        if resource is not None:
            reindex(resource)


# --- delete, restore, hide, feature ---------------------------------------------------------


@transaction.atomic
def resource_delete(*, resource: Resource, by: User) -> Resource:
    """Soft delete: gone from every list and search at once, restorable for 30 days by
    the contributor or a facilitator. Places that cite it show it as withdrawn."""
    locked = Resource.objects.select_for_update().select_related("cohort").get(pk=resource.pk)
    if not permissions.can_delete_resource(by, locked):
        raise ResourceError(
            "Only its contributor or a facilitator deletes a resource.", code="forbidden"
        )
    locked.deleted_at = timezone.now()
    locked.deleted_by = by
    locked.save(update_fields=["deleted_at", "deleted_by"])
    search_index.index_resource(locked)
    publish_on_commit(
        cohort_group(locked.cohort_id),
        {"type": "resource.removed", "cohort": locked.cohort.slug, "id": locked.pk},
    )
    return locked


@transaction.atomic
def resource_restore(*, resource: Resource, by: User) -> Resource:
    locked = Resource.objects.select_for_update().select_related("cohort").get(pk=resource.pk)
    if locked.deleted_at is None:
        return locked
    if not permissions.can_restore_resource(by, locked):
        raise ResourceError(
            f"A deleted resource can be restored for {RESTORE_DAYS} days, by its contributor "
            "or a facilitator.",
            code="forbidden",
        )
    locked.deleted_at = None
    locked.deleted_by = None
    locked.save(update_fields=["deleted_at", "deleted_by"])
    reindex(locked)
    if locked.hidden_at is None:
        publish_on_commit(cohort_group(locked.cohort_id), resource_event(locked))
    return locked


@transaction.atomic
def resource_set_hidden(*, resource: Resource, by: User, hidden: bool) -> Resource:
    """Facilitators hide a resource from the cohort (the contributor still sees it)."""
    locked = Resource.objects.select_for_update().select_related("cohort").get(pk=resource.pk)
    if not permissions.can_moderate_resource(by, locked) or locked.deleted_at is not None:
        raise ResourceError("Only facilitators hide resources.", code="forbidden")
    if hidden == (locked.hidden_at is not None):
        return locked
    locked.hidden_at = timezone.now() if hidden else None
    locked.hidden_by = by if hidden else None
    locked.save(update_fields=["hidden_at", "hidden_by"])
    if hidden:
        publish_on_commit(
            cohort_group(locked.cohort_id),
            {"type": "resource.removed", "cohort": locked.cohort.slug, "id": locked.pk},
        )
    else:
        publish_on_commit(cohort_group(locked.cohort_id), resource_event(locked))
    return locked


@transaction.atomic
def resource_set_featured(*, resource: Resource, by: User, featured: bool) -> Resource:
    if not permissions.can_moderate_resource(by, resource) or resource.deleted_at is not None:
        raise ResourceError("Only facilitators feature resources.", code="forbidden")
    Resource.objects.filter(pk=resource.pk).update(featured=featured)
    resource.featured = featured
    return resource


def resources_purge(*, now: Any = None) -> int:
    """Delete for good what was deleted more than 30 days ago and nothing cites; what is
    still cited (a session's materials, a journal's evidence) is kept, withdrawn."""
    from resources.citations import cited_ids

    now = now or timezone.now()
    expired = list(
        Resource.objects.filter(deleted_at__lt=now - timedelta(days=RESTORE_DAYS)).values_list(
            "pk", flat=True
        )
    )
    if not expired:
        return 0
    keep = cited_ids(set(expired))
    gone = [pk for pk in expired if pk not in keep]
    from files.services import file_delete
    from resources.previews import thumbnail_delete

    with transaction.atomic():
        for resource in Resource.objects.filter(pk__in=gone):
            files = [v.file for v in resource.versions.select_related("file")]
            Resource.objects.filter(pk=resource.pk).update(current_version=None)
            resource.versions.all().delete()
            for stored in files:
                thumbnail_delete(stored)
                file_delete(stored)
            search_index.remove_resource(resource.pk)
            resource.delete()
    return len(gone)


# --- useful ---------------------------------------------------------------------------------


@transaction.atomic
def useful_mark(*, resource: Resource, user: User, note: str = "") -> UsefulMark:
    """Mark ``resource`` useful (again: the note is updated), optionally saying how."""
    if not permissions.can_mark_useful(user, resource):
        raise ResourceError("You cannot mark this resource.", code="forbidden")
    values = clean_input(UsefulMark, {"note": (note or "").strip()}, error=_error)
    mark, created = UsefulMark.objects.get_or_create(
        resource=resource, user=user, defaults={"note": values["note"]}
    )
    if created:
        Resource.objects.filter(pk=resource.pk).update(useful_count=F("useful_count") + 1)
        if resource.contributor_id and resource.contributor_id != user.pk:
            from resources.tasks import notify_useful

            transaction.on_commit(lambda: notify_useful.enqueue(mark.pk), robust=True)
    elif mark.note != values["note"]:
        mark.note = values["note"]
        mark.save(update_fields=["note"])
    return mark


@transaction.atomic
def useful_unmark(*, resource: Resource, user: User) -> bool:
    deleted, _ = UsefulMark.objects.filter(resource=resource, user=user).delete()
    if deleted:
        Resource.objects.filter(pk=resource.pk, useful_count__gt=0).update(
            useful_count=F("useful_count") - 1
        )
    return bool(deleted)


# --- discussion -----------------------------------------------------------------------------


@transaction.atomic
def resource_discuss(*, resource: Resource, by: User, body: str) -> Any:
    """Comments on a resource are a discussion thread in its home cohort, opened by the
    first comment (a resource shared platform-wide is discussed where it came from)."""
    from discussions.services.posts import post_create
    from discussions.services.threads import thread_create

    locked = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("cohort", "thread")
        .get(pk=resource.pk)
    )
    if not permissions.can_discuss_resource(by, locked):
        raise ResourceError(
            "Comments are for members of the cohort this resource belongs to.", code="forbidden"
        )
    if locked.thread is not None:
        post_create(thread=locked.thread, author=by, body=body)
        return locked.thread
    title = f"Resource: {locked.title}"
    if len(title) > 200:
        title = title[:199] + "…"
    thread = thread_create(cohort=locked.cohort, author=by, title=title, body=body)
    locked.thread = thread
    locked.save(update_fields=["thread"])
    return thread


# --- collections and session materials ------------------------------------------------------


def _check_curator(by: User, cohort: Cohort) -> None:
    if not permissions.can_curate(by, cohort):
        raise ResourceError("Only facilitators curate collections.", code="forbidden")


def _collection_values(title: str, description: str) -> dict[str, Any]:
    values = clean_input(
        Collection,
        {"title": (title or "").strip(), "description": description or ""},
        error=_error,
    )
    if not values["title"]:
        raise ResourceError("Give the collection a title.", code="blank")
    return values


def _check_session(cohort: Cohort, session: Session | None) -> None:
    if session is not None and session.cohort_id != cohort.pk:
        raise ResourceError("That session belongs to another cohort.")


@transaction.atomic
def collection_create(
    *,
    cohort: Cohort,
    by: User,
    title: str,
    description: str = "",
    session: Session | None = None,
) -> Collection:
    _check_curator(by, cohort)
    _check_session(cohort, session)
    values = _collection_values(title, description)
    return Collection.objects.create(cohort=cohort, created_by=by, session=session, **values)


@transaction.atomic
def collection_edit(
    *,
    collection: Collection,
    by: User,
    title: str,
    description: str = "",
    session: Session | None = None,
) -> Collection:
    _check_curator(by, collection.cohort)
    _check_session(collection.cohort, session)
    values = _collection_values(title, description)
    for name, value in values.items():
        setattr(collection, name, value)
    collection.session = session
    collection.save(update_fields=["title", "description", "session"])
    return collection


@transaction.atomic
def collection_delete(*, collection: Collection, by: User) -> None:
    """The collection goes; its resources stay in the repertoire."""
    _check_curator(by, collection.cohort)
    collection.delete()


@transaction.atomic
def collection_add(*, collection: Collection, by: User, resource: Resource) -> CollectionItem:
    _check_curator(by, collection.cohort)
    if resource.cohort_id != collection.cohort_id and not permissions.can_view_resource(
        by, resource
    ):
        raise ResourceError("You cannot add that resource.", code="forbidden")
    if resource.deleted_at is not None:
        raise ResourceError("That resource was deleted.")
    if resource.cohort_id != collection.cohort_id and resource.scope == Resource.Scope.COHORT:
        raise ResourceError(
            "That resource is shared with another cohort only, so this cohort could not open it."
        )
    # Lock the collection so two curators adding at once get distinct positions.
    Collection.objects.select_for_update().filter(pk=collection.pk).first()
    last = collection.items.aggregate(p=Max("position"))["p"]
    item, _ = CollectionItem.objects.get_or_create(
        collection=collection,
        resource=resource,
        defaults={"position": 0 if last is None else last + 1},
    )
    return item


@transaction.atomic
def collection_remove(*, collection: Collection, by: User, resource: Resource) -> None:
    _check_curator(by, collection.cohort)
    CollectionItem.objects.filter(collection=collection, resource=resource).delete()


@transaction.atomic
def collection_move(*, collection: Collection, by: User, resource: Resource, offset: int) -> None:
    """Move a resource up (offset -1) or down (+1) in the collection's order."""
    _check_curator(by, collection.cohort)
    items = list(collection.items.select_for_update().order_by("position", "pk"))
    index = next((i for i, it in enumerate(items) if it.resource_id == resource.pk), None)
    if index is None:
        raise ResourceError("That resource is not in this collection.")
    target = index + offset
    if target < 0 or target >= len(items):
        return
    items.insert(target, items.pop(index))
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def session_materials_collection(*, session: Session, by: User) -> Collection:
    """The collection that holds a session's materials, made on first use."""
    existing = Collection.objects.filter(session=session).order_by("pk").first()
    if existing is not None:
        return existing
    return collection_create(
        cohort=session.cohort, by=by, title=f"Materials: {session.title}"[:200], session=session
    )


@transaction.atomic
def session_material_add(*, session: Session, by: User, resource: Resource) -> CollectionItem:
    """List ``resource`` among the session's materials."""
    _check_curator(by, session.cohort)
    collection = session_materials_collection(session=session, by=by)
    return collection_add(collection=collection, by=by, resource=resource)
