"""(C) The partner's letter link, under /letters/: no account needed."""

from django.urls import path

from packets.views import partner

urlpatterns = [
    path("thanks/", partner.thanks, name="partner_thanks"),
    path("<str:token>/", partner.partner_letter, name="partner_letter"),
]
