"""Pages of the trainings app: the public catalog, the provider's drafts and status, the
board's queue and review form, and members' completions. Views are thin: they parse,
ask ``permissions.access_training`` and call one service or selector."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from core.errors import ServiceError, not_found
from core.models import ID_MAX
from trainings import jsonld, permissions, selectors, services
from trainings.forms import (
    CompletionForm,
    CompletionsCsvForm,
    ConflictForm,
    ProviderForm,
    ProviderRequestForm,
    RenewalForm,
    ReviewForm,
    TrainingForm,
)
from trainings.models import Completion, Conflict, Provider, Training

PER_PAGE = 20
SUBMIT = "submit"


def filters_from(params: Any) -> selectors.CatalogFilters:
    def one(name: str, allowed: Any = None) -> str:
        value = str(params.get(name, "")).strip()[:64]
        return value if allowed is None or value in allowed else ""

    return selectors.CatalogFilters(
        area=one("area"),
        competency=one("competency"),
        format=one("format", Training.Format.values),
        delivery=one("delivery", Training.Delivery.values),
        free=params.get("free") == "1",
        upcoming=params.get("upcoming") == "1",
    )


def _query(f: selectors.CatalogFilters) -> str:
    from urllib.parse import urlencode

    values = {k: v for k, v in f.__dict__.items() if v and k != "q"}
    return urlencode({k: "1" if v is True else v for k, v in values.items()})


# --- public ---------------------------------------------------------------------------------


def catalog(request: HttpRequest) -> HttpResponse:
    f = filters_from(request.GET)
    page = Paginator(selectors.catalog(f), PER_PAGE).get_page(request.GET.get("page"))
    trainings = list(page.object_list)
    return render(
        request,
        "trainings/catalog.html",
        {
            "filters": f,
            "facets": selectors.facets(f),
            "page": page,
            "trainings": trainings,
            "query": _query(f),
            "jsonld": jsonld.for_catalog(trainings),
            "is_provider": permissions.is_provider(request.user),
            "is_reviewer": permissions.is_reviewer(request.user),
        },
    )


def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The upcoming runs of the catalog's trainings that match the filters, as iCalendar."""
    f = filters_from(request.GET)
    calendar = Calendar()
    calendar.add("prodid", "-//Commonplace//Approved trainings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Approved trainings")
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    now = timezone.now()
    for run in selectors.upcoming_runs(f)[:500]:
        event = Event()
        event.add("uid", f"training-run-{run.pk}@{host or 'commonplace'}")
        event.add("dtstamp", now)
        event.add("dtstart", run.starts_on)
        event.add("dtend", run.ends_on + timedelta(days=1))  # all-day: DTEND is exclusive
        event.add("summary", f"{run.training.title} ({run.training.provider.name})")
        event.add("url", settings.SITE_URL + run.training.get_absolute_url())
        if run.training.location:
            event.add("location", run.training.location)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="trainings.ics"'
    return response


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    training = selectors.training_page(permissions.access_training(request.user, id=pk))
    user = request.user
    completion = (
        Completion.objects.filter(user=user, training=training).first()
        if user.is_authenticated
        else None
    )
    return render(
        request,
        "trainings/detail.html",
        {
            "training": training,
            "current": permissions.is_current(training),
            "jsonld": jsonld.for_detail(training) if permissions.is_current(training) else "",
            "can_manage": permissions.can_manage_training(user, training),
            "can_review": permissions.can_review_training(user, training),
            "can_complete": permissions.can_record_completion(user, training),
            "completion": completion,
        },
    )


# --- providers ------------------------------------------------------------------------------


def _provider_only(request: HttpRequest) -> None:
    if not (permissions.is_provider(request.user) or permissions.provider_ids_of(request.user)):
        raise not_found()


@login_required
def provider_request(request: HttpRequest) -> HttpResponse:
    """Ask program staff for the Training provider role."""
    if permissions.is_provider(request.user):
        return redirect("trainings:mine")
    form = ProviderRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_role_request(user=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Sent: program staff will answer by e-mail.")
            return redirect("trainings:catalog")
    return render(request, "trainings/provider_request.html", {"form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    _provider_only(request)
    orgs = Provider.objects.filter(users=request.user).prefetch_related("domains")
    return render(
        request,
        "trainings/mine.html",
        {"orgs": orgs, "trainings": selectors.trainings_of_provider(request.user)},
    )


@login_required
def organisation(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _provider_only(request)
    org = None
    if pk is not None:
        org = Provider.objects.filter(pk=pk, users=request.user).first()
        if org is None:
            raise not_found()
    initial = (
        {
            "name": org.name,
            "website": org.website,
            "contact_name": org.contact_name,
            "contact_email": org.contact_email,
            "domains": "\n".join(org.domain_list),
        }
        if org
        else {}
    )
    form = ProviderForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_save(by=request.user, provider=org, **form.service_fields())
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your organisation is saved.")
            return redirect("trainings:mine")
    return render(request, "trainings/organisation.html", {"form": form, "org": org})


def _save_training(
    request: HttpRequest, form: TrainingForm, training: Training | None, provider: Provider | None
) -> Training | None:
    submitting = SUBMIT in request.POST
    try:
        with transaction.atomic():
            if training is None:
                assert provider is not None
                training = services.training_create(
                    by=request.user, provider=provider, **form.service_fields()
                )
            else:
                training = services.training_update(
                    by=request.user, training=training, **form.service_fields()
                )
            if submitting:
                services.training_submit(by=request.user, training=training)
    except ServiceError as error:
        form.add_error(None, error.message)
        return None
    messages.success(
        request,
        "Submitted for review by the Content Advisory Board."
        if submitting
        else "Draft saved. Submit it when it is ready.",
    )
    return training


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _provider_only(request)
    orgs = list(Provider.objects.filter(users=request.user))
    if not orgs:
        messages.info(request, "First, tell us about your organisation.")
        return redirect("trainings:organisation_new")
    form = TrainingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = next((o for o in orgs if str(o.pk) == request.POST.get("provider")), orgs[0])
        training = _save_training(request, form, None, chosen)
        if training is not None:
            return redirect("trainings:manage", training.pk)
    return render(request, "trainings/form.html", {"form": form, "orgs": orgs, "training": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="edit")
    form = TrainingForm(
        request.POST if request.method == "POST" else None,
        initial=TrainingForm.initial_for(training),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_training(request, form, training, None)
        if saved is not None:
            return redirect("trainings:manage", saved.pk)
    return render(request, "trainings/form.html", {"form": form, "training": training})


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="edit")
    try:
        services.training_submit(by=request.user, training=training)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Submitted for review by the Content Advisory Board.")
    return redirect("trainings:manage", training.pk)


def _manage_page(
    request: HttpRequest,
    training: Training,
    *,
    csv_form: CompletionsCsvForm | None = None,
    csv_errors: list[str] | None = None,
    renewal_form: RenewalForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "trainings/manage.html",
        {
            "training": selectors.training_page(training),
            "current": permissions.is_current(training),
            "events": selectors.history(training),
            "can_edit": permissions.can_edit_training(request.user, training),
            "csv_form": csv_form or CompletionsCsvForm(),
            "csv_errors": csv_errors or [],
            "renewal_form": renewal_form or RenewalForm(),
            "completions": training.completions.count(),
        },
        status=400 if csv_errors or (renewal_form is not None and renewal_form.errors) else 200,
    )


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's view: status, the board's messages, history, renewal, completions."""
    training = permissions.access_training(request.user, id=pk, need="manage")
    return _manage_page(request, training)


@login_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="manage")
    form = RenewalForm(request.POST)
    if form.is_valid():
        try:
            services.training_request_renewal(
                by=request.user, training=training, message=form.cleaned_data["message"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Renewal requested: the board will review it.")
        return redirect("trainings:manage", training.pk)
    # Invalid (too long): shown again with the error and what was typed.
    return _manage_page(request, training, renewal_form=form)


@login_required
@require_POST
def confirm_completions(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="manage")
    form = CompletionsCsvForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            result = services.completions_confirm(
                by=request.user, training=training, data=form.text()
            )
        except ServiceError as error:
            errors = [error.message]
        except Exception as error:
            errors = [str(getattr(error, "message", error))]
        else:
            if result.errors:
                errors = ["Nothing was imported. Correct these rows and upload again:"]
                errors += result.errors
            else:
                messages.success(
                    request,
                    f"{result.verified} completion{'s' if result.verified != 1 else ''} "
                    f"confirmed ({result.created} newly recorded).",
                )
                return redirect("trainings:manage", training.pk)
    else:
        errors = [e for errs in form.errors.values() for e in errs]
    return _manage_page(request, training, csv_form=form, csv_errors=errors)


# --- reviewers ------------------------------------------------------------------------------


def _reviewer_only(request: HttpRequest) -> None:
    if not permissions.is_reviewer(request.user):
        raise not_found()


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _reviewer_only(request)
    return render(
        request, "trainings/queue.html", {"trainings": selectors.review_queue(request.user)}
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="review")
    training = selectors.training_page(training)
    previous = services.last_review(training)
    changes = (
        services.diff_snapshots(previous.snapshot, services.snapshot(training))
        if previous
        else None
    )
    initial = {"competencies": [c.code for c in training.competencies.all()]}
    form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_review(
                reviewer=request.user, training=training, **form.service_fields()
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your decision is recorded and the provider is told.")
            return redirect("trainings:queue")
    return render(
        request,
        "trainings/review.html",
        {
            "training": training,
            "form": form,
            "previous": previous,
            "changes": changes,
            "reviews": selectors.reviews_of(training),
            "events": selectors.history(training),
        },
    )


@login_required
@require_POST
def recuse(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="review")
    services.training_recuse(reviewer=request.user, training=training)
    messages.success(request, f"You stepped aside from “{training.title}”.")
    return redirect("trainings:queue")


@login_required
def conflicts(request: HttpRequest) -> HttpResponse:
    _reviewer_only(request)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if "withdraw" in request.POST:
            chosen = request.POST.get("withdraw", "")
            # Not an id (a tampered form) names no organisation, as an unknown one does.
            named = chosen.isascii() and chosen.isdecimal() and int(chosen) <= ID_MAX
            org = Provider.objects.filter(pk=int(chosen)).first() if named else None
            if org is not None:
                services.conflict_withdraw(reviewer=request.user, provider=org)
                messages.success(request, f"Conflict with {org.name} withdrawn.")
            return redirect("trainings:conflicts")
        if form.is_valid():
            services.conflict_declare(reviewer=request.user, provider=form.cleaned_data["provider"])
            messages.success(request, "Conflict declared: that organisation leaves your queue.")
            return redirect("trainings:conflicts")
    declared = Conflict.objects.filter(reviewer=request.user).select_related("provider")
    return render(
        request,
        "trainings/conflicts.html",
        {
            "form": form,
            "declared": declared,
            "domains": sorted(permissions.verified_domains(request.user)),
        },
    )


# --- completions ----------------------------------------------------------------------------


@login_required
def completions(request: HttpRequest) -> HttpResponse:
    """My professional development list."""
    items = list(selectors.completions_of(request.user))
    total = sum((c.hours for c in items), start=0)
    return render(request, "trainings/completions.html", {"completions": items, "total": total})


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    training = permissions.access_training(request.user, id=pk, need="complete")
    form = CompletionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"completed_on": timezone.localdate(), "hours": training.duration_hours},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.completion_record(
                user=request.user,
                training=training,
                completed_on=form.cleaned_data["completed_on"],
                hours=form.cleaned_data["hours"],
                certificate=form.cleaned_data["certificate"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Recorded in your professional development list.")
            return redirect("trainings:completions")
    return render(request, "trainings/complete.html", {"form": form, "training": training})


@login_required
@require_POST
def completion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    completion = selectors.completions_of(request.user).filter(pk=pk).first()
    if completion is None:
        raise Http404("Not found.")
    services.completion_delete(user=request.user, completion=completion)
    messages.success(request, "Removed from your list.")
    return redirect(reverse("trainings:completions"))
