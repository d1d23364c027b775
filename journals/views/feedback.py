"""Feedback on a shared entry: the conversation between its author and the cohort's
facilitators. The entry page shows it (``journals/_feedback.html``); this page posts a
comment, and shows the conversation on its own when a comment is refused (the text kept).

Anyone else (a co-member reading an entry shared with the cohort, another cohort's
facilitator, staff) gets the same 404 as for an entry that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError, status_for
from core.pages import refusal_json, wants_json
from journals import permissions
from journals.forms_prompts import CommentForm
from journals.models import Comment, Entry
from journals.services import JournalError, comment_create


def _comment_json(comment: Comment, entry: Entry) -> dict[str, Any]:
    author = comment.author
    return {
        "id": comment.pk,
        "entry": entry.pk,
        "author": {"id": author.pk, "name": author.display_name} if author else None,
        "by_author": comment.author_id == entry.author_id,
        "body": comment.body,
        "body_html": comment.body_html,
        "created_at": comment.created_at.isoformat(),
    }


def _page(request: HttpRequest, entry: Entry, form: CommentForm, *, status: int) -> HttpResponse:
    return render(
        request,
        "journals/feedback.html",
        {
            "entry": entry,
            "comments": permissions.comments_visible_to(request.user, entry),
            "can_comment": permissions.can_comment(request.user, entry),
            "comment_form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    # The author always reaches their own conversation; a facilitator only while the entry
    # is shared with them.
    entry = permissions.access_entry(request.user, entry_id=pk, need="feedback")
    if request.method == "GET":
        return _page(request, entry, CommentForm(), status=200)
    form = CommentForm(request.POST)
    if not permissions.can_comment(request.user, entry):
        error: ServiceError = JournalError(
            "Feedback is written while the entry is shared: share it with the cohort's "
            "facilitators to continue the conversation.",
            code="conflict",
        )
        form.is_valid()
        form.add_error(None, error.message)
        if wants_json(request):
            return refusal_json(error)
        return _page(request, entry, form, status=status_for(error.code))
    if form.is_valid():
        try:
            comment = comment_create(
                entry=entry,
                by=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
            )
        except ServiceError as error:
            if wants_json(request):
                return refusal_json(error)
            field = "body" if getattr(error, "field", None) == "body" else None
            form.add_error(field, error.message)
            return _page(request, entry, form, status=status_for(error.code))
        if wants_json(request):
            return JsonResponse({"comment": _comment_json(comment, entry)}, status=201)
        replied = comment.author_id == entry.author_id
        messages.success(request, "Your reply is sent." if replied else "Your feedback is sent.")
        return redirect(f"{entry.get_absolute_url()}#comment-{comment.pk}")
    if wants_json(request):
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return refusal_json(JournalError(message or "Write the comment first.", field="body"))
    return _page(request, entry, form, status=400)
