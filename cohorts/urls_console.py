"""The facilitator console, sessions, calendar feeds and invitation links.

Included before ``cohorts.urls_main`` under the "cohorts" namespace: the fixed paths
(``calendar/``, ``invitations/``) must win over a cohort slug, and nothing here is a bare
``<slug>/``.
"""

from django.urls import path, re_path

from cohorts.views import calendar, console, invitations, sessions

urlpatterns = [
    # Fixed paths first.
    path("calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("calendar/my.ics", calendar.my_feed, name="my_calendar"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    # The console.
    path("<slug:slug>/console/", console.console, name="console"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/console/requests/(?P<pk>[0-9]+)/(?P<decision>accept|decline)/$",
        console.request_decide,
        name="request_decide",
    ),
    path(
        "<slug:slug>/console/members/<int:pk>/remove/",
        console.member_remove,
        name="member_remove",
    ),
    path("<slug:slug>/console/invitations/", console.invite, name="invite"),
    path(
        "<slug:slug>/console/invitations/<int:pk>/revoke/",
        console.invitation_revoke,
        name="invitation_revoke",
    ),
    # Sessions.
    path("<slug:slug>/sessions/", sessions.session_list, name="sessions"),
    path("<slug:slug>/sessions/new/", sessions.session_create, name="session_create"),
    path("<slug:slug>/sessions/template/", sessions.session_template, name="session_template"),
    path("<slug:slug>/sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("<slug:slug>/sessions/<int:pk>/event.ics", sessions.session_event, name="session_event"),
    path("<slug:slug>/sessions/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("<slug:slug>/sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("<slug:slug>/sessions/<int:pk>/attendance/", sessions.attendance, name="attendance"),
    path("<slug:slug>/calendar.ics", calendar.cohort_feed, name="calendar"),
]
