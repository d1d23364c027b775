"""A cohort's page (its home for members, its about page for everyone else), joining,
leaving, the members list and the facilitators' lifecycle buttons."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts import permissions, selectors, services
from cohorts.forms import GoalForm, GoalStatusForm, JoinForm
from cohorts.models import Cohort, Membership
from cohorts.services import CohortError
from core.registry import start_here_items

M = Membership
# The lifecycle steps facilitators take themselves (review decisions are staff's).
LIFECYCLE_ACTIONS = {
    "activate": (services.cohort_activate, "The cohort is now active."),
    "conclude": (
        services.cohort_conclude,
        "The cohort has concluded. Members are now alumni and keep read access.",
    ),
    "archive": (services.cohort_archive, "The cohort is archived."),
}
# Which button a facilitator sees in which state.
NEXT_ACTION = {
    Cohort.State.APPROVED: ("activate", "Start the cohort (make it active)"),
    Cohort.State.ACTIVE: ("conclude", "Conclude the cohort"),
    Cohort.State.CONCLUDED: ("archive", "Archive the cohort"),
}


def cohort_page(request: HttpRequest, slug: str, need: permissions.CohortNeed = "view") -> Cohort:
    """The cohort, loaded for its own pages, if the viewer may do what ``need`` says."""
    cohort = permissions.access_cohort(
        request.user, slug=slug, need=need, queryset=selectors.cohort_pages()
    )
    return selectors.with_page_relations(cohort)


def places_left(cohort: Cohort) -> int:
    """From the ``seated_members`` annotation the selectors add: no extra query."""
    return max(0, cohort.capacity - getattr(cohort, "seated_members", 0))


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug)
    user = request.user
    membership = selectors.membership_of(cohort, user)
    context = {
        "cohort": cohort,
        "membership": membership,
        "places_left": places_left(cohort),
        "can_facilitate": permissions.can_facilitate(user, cohort),
        "can_edit": permissions.can_edit_proposal(user, cohort),
        "can_leave": membership is not None
        and membership.status in (M.Status.ACTIVE, M.Status.REQUESTED, M.Status.WAITLISTED),
    }
    if permissions.can_see_reviews(user, cohort):
        context["reviews"] = list(cohort.reviews.select_related("reviewer"))
    if not permissions.can_view_content(user, cohort):
        context.update(
            can_join=permissions.can_request_to_join(user, cohort),
            join_form=JoinForm(),
            pending=membership is not None
            and membership.status in (M.Status.REQUESTED, M.Status.WAITLISTED),
        )
        return render(request, "cohorts/about.html", context)

    now = timezone.now()
    upcoming = list(
        selectors.sessions_of(cohort).filter(ends_at__gte=now, cancelled_at__isnull=True)[:6]
    )
    members = list(selectors.members_of(cohort))
    context.update(
        next_session=selectors.next_session(cohort),
        upcoming=upcoming,
        goals=list(selectors.goals_of(cohort, viewer=user)),
        goal_form=GoalForm(initial=request.session.pop(f"goal-draft:{cohort.pk}", None)),
        goal_status_form=GoalStatusForm(),
        member_list=[m for m in members if m.role == M.Role.MEMBER],
        facilitators=[m for m in members if m.role == M.Role.FACILITATOR],
        activity=selectors.recent_activity(cohort, user),
        home_cards=selectors.home_cards(cohort, user),
        takes_part=permissions.takes_part(membership),
        next_action=NEXT_ACTION.get(cohort.state),
        can_submit=permissions.can_edit_proposal(user, cohort),
        is_staff=permissions.is_staff(user),
    )
    context["start_here"] = _start_here(request, cohort, membership)
    return render(request, "cohorts/home.html", context)


# A new member sees the "Start here" panel for their first weeks, or until they dismiss it.
START_HERE_DAYS = 14


def _start_here_key(cohort: Cohort) -> str:
    return f"start-here-dismissed:{cohort.pk}"


def _start_here(
    request: HttpRequest, cohort: Cohort, membership: Membership | None
) -> list[dict[str, str]] | None:
    """The links of a new member's "Start here" panel (apps add theirs through
    ``core.registry.register_start_here``), or None when it is not shown."""
    if (
        membership is None
        or membership.role != M.Role.MEMBER
        or membership.status != M.Status.ACTIVE
        or membership.joined_at < timezone.now() - timedelta(days=START_HERE_DAYS)
        or request.session.get(_start_here_key(cohort))
    ):
        return None
    links = [item.link(cohort, request.user) for item in start_here_items()]
    return [link for link in links if link]


@login_required
@require_POST
def start_here_dismiss(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "content")
    request.session[_start_here_key(cohort)] = True
    messages.info(request, "The “Start here” panel is hidden for this cohort.")
    return redirect(cohort)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug)
    form = JoinForm(request.POST)
    if not form.is_valid():
        # Never go ahead without the message the person wrote.
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(cohort)
    message = form.cleaned_data["message"]
    try:
        membership = services.membership_join(cohort=cohort, user=request.user, message=message)
    except CohortError as error:
        messages.error(request, error.message)
        return redirect(cohort)
    if membership.status == M.Status.ACTIVE:
        messages.success(request, f"Welcome to “{cohort.title}”.")
    elif membership.status == M.Status.WAITLISTED:
        messages.info(
            request, "The cohort is full: you are on the waitlist and will get the next place."
        )
    else:
        messages.success(
            request, "Your request is sent. The facilitators will answer; you'll be notified."
        )
    return redirect(cohort)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug)
    membership = selectors.membership_of(cohort, request.user)
    if membership is None:
        messages.error(request, "You are not in this cohort.")
        return redirect(cohort)
    was_pending = membership.status in (M.Status.REQUESTED, M.Status.WAITLISTED)
    try:
        services.membership_leave(membership=membership)
    except CohortError as error:
        messages.error(request, error.message)
        return redirect(cohort)
    messages.success(
        request,
        "Your request is withdrawn." if was_pending else f"You have left “{cohort.title}”.",
    )
    # The checks above cached this person's old rights on request.user; ask afresh.
    permissions.forget_cached_permissions(request.user)
    if permissions.can_view_cohort(request.user, cohort):
        return redirect(cohort)
    return redirect("cohorts:directory")


@login_required
@require_POST
def lifecycle(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "facilitate")
    if action not in LIFECYCLE_ACTIONS:
        raise Http404("No such action.")
    service, done = LIFECYCLE_ACTIONS[action]
    try:
        service(cohort=cohort, by=request.user)
    except CohortError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(cohort)


def members(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = cohort_page(request, slug, "content")
    people = list(selectors.members_of(cohort))
    return render(
        request,
        "cohorts/members.html",
        {
            "cohort": cohort,
            "facilitators": [m for m in people if m.role == M.Role.FACILITATOR],
            "members": [m for m in people if m.role == M.Role.MEMBER],
            "places_left": places_left(cohort),
            "can_facilitate": permissions.can_facilitate(request.user, cohort),
        },
    )
