"""(C) The owner's letter pages, under /journal/packets/."""

from django.urls import path

from packets.views import letters

urlpatterns = [
    path("<int:pk>/letters/new/", letters.letter_request, name="letter_request"),
    path(
        "<int:pk>/letters/<int:letter_id>/revoke/",
        letters.letter_revoke,
        name="letter_revoke",
    ),
    path(
        "<int:pk>/letters/<int:letter_id>/resend/",
        letters.letter_resend,
        name="letter_resend",
    ),
]
