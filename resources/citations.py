"""What else cites a resource, so a purge never breaks it.

Apps that cite resources (session materials here; journals' evidence) register a function
that, given resource ids, answers the ones they still cite. A cited resource that was
deleted is kept, and the citing place shows it as withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable

from core.registry import Registry

Citer = Callable[[set[int]], set[int]]
_citers: Registry[Citer] = Registry("resource citer")


def register_citer(name: str, citer: Citer) -> Citer:
    return _citers.register(name, citer)


def unregister_citer(name: str) -> None:
    _citers.unregister(name)


def cited_ids(resource_ids: set[int]) -> set[int]:
    cited: set[int] = set()
    for citer in _citers:
        cited |= citer(resource_ids) & resource_ids
    return cited


def session_materials(resource_ids: set[int]) -> set[int]:
    """Resources listed in a collection that is a session's materials."""
    from resources.models import CollectionItem

    return set(
        CollectionItem.objects.filter(
            resource_id__in=resource_ids, collection__session__isnull=False
        ).values_list("resource_id", flat=True)
    )
