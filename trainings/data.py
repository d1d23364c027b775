"""What the trainings app holds about a person, for "My data" and account deletion.

Completions and their certificates are the person's own and go with the account; reviews
a reviewer wrote stay with the training."""

from __future__ import annotations

from typing import Any

from core.data import DELETED, KEPT, AddFile, DataLine, DataSource
from trainings.models import Completion, Review


def collect(user: Any, add_file: AddFile) -> dict[str, Any]:
    completions = []
    for completion in (
        Completion.objects.filter(user=user)
        .select_related("training", "certificate")
        .order_by("completed_on", "pk")
    ):
        certificate = completion.certificate
        completions.append(
            {
                "training_id": completion.training_id,
                "training": completion.training.title,
                "completed_on": completion.completed_on,
                "hours": str(completion.hours),
                "verified_at": completion.verified_at,
                "certificate": add_file(certificate, f"certificates/{certificate.original_name}")
                if certificate is not None
                else None,
            }
        )
    return {
        "completions": completions,
        "reviews_written": list(
            Review.objects.filter(reviewer=user)
            .order_by("pk")
            .values("training_id", "training__title", "decision", "created_at")
        ),
    }


def summarize(user: Any) -> list[DataLine]:
    return [
        DataLine(
            "Trainings you completed, with uploaded certificates",
            Completion.objects.filter(user=user).count(),
            DELETED,
        ),
        DataLine(
            "Training reviews you wrote (they stay with the training)",
            Review.objects.filter(reviewer=user).count(),
            KEPT,
        ),
    ]


def erase(user: Any) -> list[Any]:
    return list(
        Completion.objects.filter(user=user, certificate__isnull=False).values_list(
            "certificate_id", flat=True
        )
    )


SOURCE = DataSource("trainings", "Trainings", collect, summarize, erase)
