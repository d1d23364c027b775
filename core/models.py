from django.db import models


class TimeStampedModel(models.Model):
    """Base for every domain model: creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# The largest value a BigAutoField (and any id a client sends) can hold; input past it is
# refused as invalid rather than looked up.
ID_MAX = 2**63 - 1
