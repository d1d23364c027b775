"""Template tags for cohort pages: the schedule as the sessions keep it, and what other apps
link from a session page (see ``cohorts.session_links``)."""

from __future__ import annotations

from typing import Any

from django import template

from cohorts import selectors, session_links
from cohorts.models import Cohort, Session

register = template.Library()


@register.simple_tag
def cohort_rhythm(cohort: Cohort) -> selectors.Rhythm | None:
    """``{% cohort_rhythm cohort as rhythm %}``: how the scheduled sessions fall, or None."""
    return selectors.rhythm_of(cohort)


@register.simple_tag(takes_context=True)
def links_for_session(context: template.Context, session: Session) -> list[Any]:
    """``{% links_for_session session as links %}``: what registered apps tie to it."""
    request = context.get("request")
    return session_links.links_for(session, getattr(request, "user", None))
