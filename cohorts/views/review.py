"""Program staff's review of proposed cohorts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cohorts import permissions, selectors, services
from cohorts.forms import ReviewForm
from cohorts.models import FACILITATORS_EXPECTED
from cohorts.services import CohortError
from cohorts.views.cohort import cohort_page


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.is_staff(request.user):
        raise Http404("No such page.")
    return render(
        request,
        "cohorts/review_queue.html",
        {"cohorts": list(selectors.review_queue()), "expected": FACILITATORS_EXPECTED},
    )


@login_required
def review(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "review")
    can_review = permissions.can_review(request.user, cohort)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_review:
            messages.error(request, "Only submitted proposals can be reviewed.")
            return redirect("cohorts:review", cohort.slug)
        if form.is_valid():
            try:
                result = services.cohort_review(
                    cohort=cohort,
                    reviewer=request.user,
                    decision=form.cleaned_data["decision"],
                    message=form.cleaned_data["message"],
                    judgements=form.judgements(),
                )
            except CohortError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    f"Review recorded: {result.get_decision_display().lower()}. "
                    "The facilitators have been told.",
                )
                return redirect("cohorts:review_queue")
    return render(
        request,
        "cohorts/review.html",
        {
            "cohort": cohort,
            "form": form,
            "can_review": can_review,
            "expected": FACILITATORS_EXPECTED,
            "pending_cofacilitators": selectors.pending_cofacilitator_invitations(cohort),
            "reviews": list(cohort.reviews.select_related("reviewer")),
        },
    )
