"""Proposing a cohort, editing the proposal, and submitting it for review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.forms import CohortForm
from cohorts.models import Cohort
from cohorts.services import CohortError
from cohorts.views.cohort import cohort_page
from competencies import selectors as competency_selectors

SUBMIT = "submit"  # the name of the "save and submit for review" button


def _render_form(request: HttpRequest, form: CohortForm, cohort: Cohort | None) -> HttpResponse:
    rhythm = selectors.rhythm_of(cohort) if cohort is not None else None
    context = {
        "form": form,
        "cohort": cohort,
        "rhythm": rhythm,
        "cadence_disagrees": cohort is not None
        and selectors.cadence_disagrees(cohort.cadence, rhythm),
    }
    return render(request, "cohorts/proposal_form.html", context)


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    framework = competency_selectors.default_framework()
    if framework is None:
        messages.error(request, "No competency framework is loaded yet; ask program staff.")
        return redirect("cohorts:directory")
    form = CohortForm(
        request.POST if request.method == "POST" else None, framework=framework, proposing=True
    )
    if request.method == "POST" and form.is_valid():
        submitting = SUBMIT in request.POST
        try:
            # All or nothing: a proposal that cannot be submitted is not half-created
            # (no duplicate on the next try, no invitations sent for it).
            with transaction.atomic():
                cohort = services.cohort_propose(
                    by=request.user,
                    framework=framework,
                    co_facilitator_emails=form.cleaned_data["co_facilitator_emails"],
                    **form.service_fields(),
                )
                if submitting:
                    services.cohort_submit(cohort=cohort, by=request.user)
        except CohortError as error:
            form.add_error(None, _not_saved(error, submitting))
        else:
            messages.success(request, _saved_message(cohort, submitting))
            return redirect(cohort)
    return _render_form(request, form, None)


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "edit")
    form = CohortForm(
        request.POST if request.method == "POST" else None,
        instance=cohort,
        framework=cohort.framework,
    )
    if request.method == "POST" and form.is_valid():
        submitting = SUBMIT in request.POST
        try:
            with transaction.atomic():
                cohort = services.cohort_update(
                    cohort=cohort, by=request.user, **form.service_fields()
                )
                if submitting:
                    services.cohort_submit(cohort=cohort, by=request.user)
        except CohortError as error:
            form.add_error(None, _not_saved(error, submitting))
        else:
            messages.success(request, _saved_message(cohort, submitting))
            return redirect(cohort)
    return _render_form(request, form, cohort)


@login_required
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "edit")
    try:
        services.cohort_submit(cohort=cohort, by=request.user)
    except CohortError as error:
        messages.error(request, f"The proposal was not submitted. {error.message}")
        return redirect("cohorts:edit", cohort.slug)
    messages.success(request, _saved_message(cohort, True))
    return redirect(cohort)


def _not_saved(error: CohortError, submitting: bool) -> str:
    if submitting:
        return (
            f"Not submitted, and nothing was saved yet: {error.message} "
            "Fix it and try again, or save it as a draft."
        )
    return f"Not saved: {error.message}"


def _saved_message(cohort: Cohort, submitting: bool) -> str:
    if submitting:
        return "Your proposal is submitted. Program staff will review it; you'll be notified."
    return "Saved as a draft. Submit it for review when it is ready."
