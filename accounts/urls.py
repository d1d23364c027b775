from django.urls import path

from accounts import views, views_data

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile, name="profile"),
    # Not under accounts/confirm-email/: allauth takes any word there as a confirmation key.
    path("accounts/verification/resend/", views.verification_resend, name="verification_resend"),
    path("accounts/profile/edit/", views.profile_edit, name="profile_edit"),
    path("accounts/api-token/", views.api_token, name="api_token"),
    path("accounts/notifications/", views.notifications, name="notifications"),
    path("accounts/notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "accounts/notifications/<int:pk>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "accounts/notifications/<int:pk>/read/",
        views.notification_read,
        name="notification_read",
        kwargs={"read": True},
    ),
    path(
        "accounts/notifications/<int:pk>/unread/",
        views.notification_read,
        name="notification_unread",
        kwargs={"read": False},
    ),
    path(
        "accounts/notifications/settings/",
        views.notification_settings,
        name="notification_settings",
    ),
    path(
        "accounts/notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    path("accounts/my-data/", views_data.my_data, name="my_data"),
    path("accounts/my-data/export/", views_data.my_data_request, name="my_data_request"),
    path("accounts/delete/", views_data.account_delete, name="delete"),
    path("people/<int:pk>/", views.person, name="person"),
]
