"""Sessions: the members' list and page, and the facilitators' scheduling, editing,
cancelling and attendance screens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.calendar import build_calendar
from cohorts.forms_console import AttendanceForm, CancelForm, SessionForm, TemplateForm
from cohorts.models import Attendance, Cohort, Membership, Session
from cohorts.permissions import access_cohort, can_facilitate
from cohorts.services import CohortError
from cohorts.views.console import _console_context


def _session(cohort: Cohort, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("cohort"), pk=pk, cohort=cohort)


@login_required
def session_list(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    now = timezone.now()
    sessions = list(selectors.sessions_of(cohort))
    return render(
        request,
        "cohorts/sessions/list.html",
        {
            "cohort": cohort,
            "upcoming": [s for s in sessions if s.ends_at >= now],
            "past": [s for s in sessions if s.ends_at < now][::-1],
            "facilitating": can_facilitate(request.user, cohort),
        },
    )


@login_required
def session_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    session = _session(cohort, pk)
    membership = selectors.membership_of(cohort, request.user)
    mine = None
    if membership is not None and membership.status in Membership.SEATED:
        mine = Attendance.objects.filter(session=session, user=request.user).first()
    return render(
        request,
        "cohorts/sessions/detail.html",
        {
            "cohort": cohort,
            "session": session,
            "facilitating": can_facilitate(request.user, cohort),
            "is_past": session.ends_at < timezone.now(),
            "seated": membership is not None and membership.status in Membership.SEATED,
            "my_attendance": mine,
        },
    )


@login_required
def session_event(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The one session as an iCalendar file, with the same UID as in the feeds (so a
    calendar that has both keeps one event)."""
    cohort = access_cohort(request.user, slug=slug, need="content")
    session = _session(cohort, pk)
    body = build_calendar([session], name=f"{cohort.title}: {session.title}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"{cohort.slug}-session-{session.pk}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _render_form(
    request: HttpRequest, cohort: Cohort, form: SessionForm, session: Session | None, error: str
) -> HttpResponse:
    return render(
        request,
        "cohorts/sessions/form.html",
        {"cohort": cohort, "form": form, "session": session, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        initial={"time_zone": cohort.time_zone, "title": ""},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                cohort=cohort, by=request.user, **form.service_fields()
            )
        except CohortError as exc:
            error = exc.message
        else:
            messages.success(request, f"“{session.title}” is scheduled; members were told.")
            return redirect("cohorts:session", cohort.slug, session.pk)
    return _render_form(request, cohort, form, None, error)


@login_required
def session_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    session = _session(cohort, pk)
    form = SessionForm(
        request.POST if request.method == "POST" else None, initial=SessionForm.initial_for(session)
    )
    error = (
        "This session was cancelled; it can no longer be edited." if (session.is_cancelled) else ""
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(
                session=session, by=request.user, **form.service_fields()
            )
        except CohortError as exc:
            error = exc.message
        else:
            messages.success(request, "The session is saved.")
            return redirect("cohorts:session", cohort.slug, session.pk)
    return _render_form(request, cohort, form, session, error)


@login_required
def session_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks for a reason; POST cancels and tells the members."""
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    session = _session(cohort, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if session.is_cancelled:
            messages.info(request, "This session was already cancelled.")
        else:
            services.session_cancel(
                session=session, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"“{session.title}” is cancelled; members were told.")
        return redirect("cohorts:console", cohort.slug)
    return render(
        request,
        "cohorts/sessions/cancel.html",
        {"cohort": cohort, "session": session, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def session_template(request: HttpRequest, slug: str) -> HttpResponse:
    """Two steps: the first POST shows the six planned dates, each with its warnings (past
    the term, past the application deadline); the second, with ``confirm``, schedules them."""
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    form = TemplateForm(request.POST)
    if "revise" in request.POST:
        # Back to the console's form, with what the facilitator chose kept.
        context = _console_context(cohort, template_form=form)
        return render(request, "cohorts/console/console.html", context)
    if form.is_valid():
        fields = form.cleaned_data
        try:
            if "confirm" not in request.POST:
                plan = services.sessions_template_plan(
                    cohort=cohort,
                    first_day=fields["first_day"],
                    start_time=fields["start_time"],
                    cadence=fields["cadence"],
                    minutes=fields["minutes"],
                )
                return render(
                    request,
                    "cohorts/sessions/template_plan.html",
                    {
                        "cohort": cohort,
                        "form": form,
                        "plan": plan,
                        "warned": sum(1 for p in plan if p.warnings),
                    },
                )
            created = services.sessions_apply_template(cohort=cohort, by=request.user, **fields)
        except CohortError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{len(created)} sessions are scheduled.")
            return redirect("cohorts:console", cohort.slug)
    context = _console_context(cohort, template_form=form)
    return render(request, "cohorts/console/console.html", context, status=400)


@login_required
def attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Everyone seated in the cohort who had joined before the session ended, one row
    each, one submit."""
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    session = _session(cohort, pk)
    people, current = selectors.attendance_sheet(session)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None, people=people, current=current
    )
    error = ""
    if session.is_cancelled:
        error = "This session was cancelled, so there is no attendance to record."
    elif request.method == "POST" and form.is_valid():
        statuses = form.statuses(unmarked_present="all_present" in request.POST)
        try:
            services.attendance_record(session=session, by=request.user, statuses=statuses)
        except CohortError as exc:
            error = exc.message
        else:
            messages.success(request, f"Attendance saved for {len(statuses)} people.")
            return redirect("cohorts:console", cohort.slug)
    return render(
        request,
        "cohorts/sessions/attendance.html",
        {
            "cohort": cohort,
            "session": session,
            "form": form,
            "error": error,
            "recorded": len(current),
        },
        status=400 if request.method == "POST" else 200,
    )
