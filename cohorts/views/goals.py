"""Collective learning goals: any member proposes and supports; facilitators record
where the group stands."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cohorts import services
from cohorts.forms import GoalForm, GoalStatusForm
from cohorts.models import Cohort, GoalSupport, LearningGoal
from cohorts.services import CohortError
from cohorts.views.cohort import cohort_page


def _goals_anchor(cohort: Cohort) -> str:
    return f"{cohort.get_absolute_url()}#goals"


def _goal(cohort: Cohort, pk: int) -> LearningGoal:
    goal = LearningGoal.objects.filter(cohort=cohort, pk=pk).first()
    if goal is None:
        raise Http404("No such goal.")
    return goal


@login_required
@require_POST
def goal_propose(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "take_part")
    form = GoalForm(request.POST)
    draft_key = f"goal-draft:{cohort.pk}"
    if not form.is_valid():
        # Keep what was typed: the cohort home shows it again in the form.
        request.session[draft_key] = {
            "title": request.POST.get("title", "")[:2000],
            "description": request.POST.get("description", "")[:20000],
        }
        messages.error(request, "Give the goal a short title (up to 200 characters).")
        return redirect(_goals_anchor(cohort))
    try:
        services.goal_propose(
            cohort=cohort,
            by=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
    except CohortError as error:
        request.session[draft_key] = form.cleaned_data
        messages.error(request, error.message)
    else:
        request.session.pop(draft_key, None)
        messages.success(request, "Your goal is proposed. Others can now support it.")
    return redirect(_goals_anchor(cohort))


@login_required
@require_POST
def goal_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Toggle the viewer's support for a goal."""
    cohort = cohort_page(request, slug, "take_part")
    goal = _goal(cohort, pk)
    try:
        if GoalSupport.objects.filter(goal=goal, user=request.user).exists():
            services.goal_unsupport(goal=goal, user=request.user)
        else:
            services.goal_support(goal=goal, user=request.user)
    except CohortError as error:
        messages.error(request, error.message)
    return redirect(_goals_anchor(cohort))


@login_required
@require_POST
def goal_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort = cohort_page(request, slug, "facilitate")
    goal = _goal(cohort, pk)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed statuses.")
        return redirect(_goals_anchor(cohort))
    try:
        services.goal_set_status(
            goal=goal,
            by=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except CohortError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{goal.title}” is now {goal.get_status_display().lower()}.")
    return redirect(_goals_anchor(cohort))
