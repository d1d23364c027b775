"""Reflection prompts: a cohort's list, one prompt (for a member, their own answers; for a
facilitator, who answered), posting, editing, closing and reopening, and the
facilitators' reflections view.

A cohort's prompts are for the people of the cohort: its members (alumni included) read
them, its facilitators post them. Program staff and admins see them only as members or
facilitators of the cohort, like the entries that answer them; everyone else gets the
same 404 as for a cohort that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.models import Cohort
from cohorts.permissions import access_cohort
from core.errors import ServiceError, not_found, status_for
from core.pages import refuse
from journals import permissions
from journals.forms_prompts import PromptForm, field_for_error
from journals.models import Prompt
from journals.selectors import prompts as selectors
from journals.services import prompt_close as close_prompt
from journals.services import prompt_create, prompt_edit


def _cohort_for(request: HttpRequest, slug: str, *, manage: bool = False) -> Cohort:
    """The cohort if the person belongs to it (or facilitates it, with ``manage``), by
    their own membership: staff and admin status open nothing here."""
    cohort = access_cohort(request.user, slug=slug, need="content")
    if manage:
        if not permissions.can_manage_prompt(request.user, cohort):
            raise not_found()
    elif cohort.pk not in permissions.member_cohort_ids(request.user):
        raise not_found()
    return cohort


def answer_url(prompt: Prompt) -> str:
    """The new-entry page with the prompt filled in (empty if the editor is not there)."""
    try:
        return f"{reverse('journals:entry_new')}?prompt={prompt.pk}"
    except NoReverseMatch:
        return ""


# --- a cohort's prompts ---------------------------------------------------------------------


@login_required
@require_GET
def prompts(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort_for(request, slug)
    manage = permissions.can_manage_prompt(request.user, cohort)
    rows = selectors.prompts_of(cohort, request.user)
    return render(
        request,
        "journals/prompts.html",
        {
            "cohort": cohort,
            "open_prompts": [p for p in rows if p.is_open],
            "closed_prompts": [p for p in rows if not p.is_open],
            "can_manage": manage,
            "member_count": selectors.active_member_count(cohort) if manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def prompt_new(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort_for(request, slug, manage=True)
    status = 200
    if request.method == "POST":
        form = PromptForm(request.POST, cohort=cohort)
        if form.is_valid():
            try:
                prompt = prompt_create(
                    cohort=cohort,
                    by=request.user,  # type: ignore[arg-type]
                    data=form.to_input(),
                )
            except ServiceError as error:
                form.add_error(field_for_error(error, form), error.message)
                status = status_for(error.code)
            else:
                messages.success(
                    request, f"“{prompt.title}” is posted. The cohort's members are told."
                )
                return redirect(prompt.get_absolute_url())
        else:
            status = 400
    else:
        form = PromptForm(cohort=cohort)
    return render(
        request,
        "journals/prompt_form.html",
        {"cohort": cohort, "form": form, "prompt": None},
        status=status,
    )


# --- one prompt -----------------------------------------------------------------------------


@login_required
@require_GET
def prompt(request: HttpRequest, pk: int) -> HttpResponse:
    found = permissions.access_prompt(request.user, prompt_id=pk)
    shown = selectors.prompt_for_page(found)
    manage = permissions.can_manage_prompt(request.user, shown)
    context: dict[str, Any] = {
        "prompt": shown,
        "cohort": shown.cohort,
        "can_manage": manage,
        "can_answer": permissions.can_answer_prompt(request.user, shown),
        "answer_url": answer_url(shown),
        "competency_groups": _by_area(list(shown.competencies.all())),
    }
    if manage:
        answerers = selectors.who_answered(shown, request.user)
        context["answerers"] = answerers
        context["answered_count"] = sum(1 for a in answerers if a.answered)
    else:
        mine = selectors.my_answers(shown, request.user)
        context["my_answers"] = mine
        context["answer_shared"] = any(e.is_shared for e in mine)
    return render(request, "journals/prompt.html", context)


def _by_area(competencies: list[Any]) -> list[tuple[Any, list[Any]]]:
    groups: dict[int, tuple[Any, list[Any]]] = {}
    for competency in competencies:
        groups.setdefault(competency.area_id, (competency.area, []))[1].append(competency)
    return list(groups.values())


@login_required
@require_http_methods(["GET", "POST"])
def prompt_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = permissions.access_prompt(request.user, prompt_id=pk, need="manage")
    shown = selectors.prompt_for_page(found)
    cohort = shown.cohort
    status = 200
    stale = False
    if request.method == "POST":
        form = PromptForm(request.POST, cohort=cohort, prompt=shown)
        if form.is_valid() and form.is_stale():
            stale = True
            form.add_error(
                None,
                "Someone changed this prompt since you opened it. Nothing was saved: the "
                "saved version is shown below yours; bring in what you want to keep and "
                "save again.",
            )
            # The next save is based on what they have now seen.
            data = request.POST.copy()
            data["seen"] = shown.updated_at.isoformat()
            form.data = data
            status = 409
        elif form.is_valid():
            try:
                saved = prompt_edit(
                    prompt=shown,
                    by=request.user,  # type: ignore[arg-type]
                    data=form.to_input(),
                )
            except ServiceError as error:
                form.add_error(field_for_error(error, form), error.message)
                status = status_for(error.code)
            else:
                messages.success(request, "The prompt is saved.")
                return redirect(saved.get_absolute_url())
        else:
            status = 400
    else:
        form = PromptForm(initial=PromptForm.initial_for(shown), cohort=cohort, prompt=shown)
    return render(
        request,
        "journals/prompt_form.html",
        {"cohort": cohort, "form": form, "prompt": shown, "stale": stale},
        status=status,
    )


@login_required
@require_POST
def prompt_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = permissions.access_prompt(request.user, prompt_id=pk, need="manage")
    reopen = request.POST.get("action") == "reopen"
    try:
        saved = close_prompt(prompt=found, by=request.user, closed=not reopen)  # type: ignore[arg-type]
    except ServiceError as error:
        return refuse(request, error, back_to=found.get_absolute_url())
    if reopen:
        messages.success(request, f"“{saved.title}” is open again.")
    else:
        messages.success(request, f"“{saved.title}” is closed: members no longer see it as open.")
    return redirect(saved.get_absolute_url())


# --- the facilitators' view -----------------------------------------------------------------


@login_required
@require_GET
def reflections(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort_for(request, slug, manage=True)
    return render(
        request,
        "journals/reflections.html",
        {"cohort": cohort, "summary": selectors.reflections_of(cohort)},
    )
