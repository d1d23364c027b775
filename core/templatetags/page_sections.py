"""``{% page_sections "spot" %}``: the sections other apps registered for a spot of this
page (core.registry.register_page_section), rendered in order."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from core.registry import page_sections as sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def page_sections(context: template.Context, spot: str) -> SafeString:
    request = context.get("request")
    page: dict[str, Any] = {str(k): v for k, v in context.flatten().items()}
    parts: list[str] = []
    for section in sections_for(spot):
        chosen = (
            get_template(section.template)
            if isinstance(section.template, str)
            else section.template
        )
        values = {**page, **section.context(request, page)}
        # Rendered with the page's names (context processors included) and without the
        # request, so the context processors do not run (and query) again.
        if isinstance(chosen, template.Template):  # built in code (tests)
            parts.append(chosen.render(template.Context(values)))
        else:
            parts.append(chosen.render(values))
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered template
