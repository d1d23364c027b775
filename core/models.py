from typing import TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class TimeStampedModel(models.Model):
    """Base for every domain model: creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# The largest value a BigAutoField (and any id a client sends) can hold; input past it is
# refused as invalid rather than looked up.
ID_MAX = 2**63 - 1


def first_row(rows: models.QuerySet[_M]) -> _M | None:
    """The first row of ``rows``, or None, for a lookup that matches at most one (by a key):
    unlike ``.first()`` it does not compile the model's default ordering into the query,
    which for a model ordered by several columns cost more than running it."""
    return next(iter(rows.order_by()[:1]), None)
