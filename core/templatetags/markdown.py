from django import template
from django.utils.safestring import SafeString

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter(name="humanize_slug")
def humanize_slug(value: str) -> str:
    """``cv-and-professional-development`` -> ``Cv and professional development``."""
    text = str(value).replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
