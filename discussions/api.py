"""Threads and posts over the REST API (CONTRACT.md), with the same permission answers as
the pages: a cohort or thread the caller may not read is a 404, whether it exists or not.

Writes go through ``discussions.services``; a refusal (a ``DiscussionError``) propagates to
``core.api.exception_handler``, which answers JSON ``detail`` and ``code`` with the status
``core.errors.status_for`` gives, the same one the pages answer with.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts.api import PersonSerializer
from cohorts.models import Cohort, LearningGoal, Session
from cohorts.permissions import access_cohort
from core.api import ErrorSerializer, service_error_body
from core.errors import status_for
from core.models import ID_MAX
from discussions import selectors, services
from discussions.events import post_html, post_htmls
from discussions.models import Post, Reaction, ReadState, Thread
from discussions.permissions import access_post, access_thread
from discussions.services import DiscussionError, StaleVersion


def threads_listing(cohort: Cohort, user: Any) -> QuerySet[Thread]:
    """A cohort's threads with everything the serializer reads, in a fixed number of
    queries (the read pointer is a subquery, not a query per thread)."""
    read = ReadState.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_post_id")
    return (
        Thread.objects.filter(cohort=cohort)
        .select_related("cohort", "created_by", "last_poster")
        .annotate(viewer_last_read=Subquery(read[:1]))
        .order_by("-pinned", "-last_activity_at", "-pk")
    )


def posts_listing(thread: Thread, after: int = 0) -> QuerySet[Post]:
    return selectors.posts_after(thread, after).prefetch_related(
        Prefetch(
            "reactions",
            queryset=Reaction.objects.order_by().only("id", "post_id", "kind"),
            to_attr="reaction_rows",
        )
    )


# --- serializers -----------------------------------------------------------------------------


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


class PostAuthorSerializer(serializers.Serializer):
    """A post's author: ``id`` is null once they deleted their account (name: "A former
    member")."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class PostSerializer(serializers.Serializer):
    """The post object of CONTRACT.md (the same fields the socket sends), plus extras:
    ``reply_to``, ``deleted``, ``hidden``, ``reactions`` (counts by kind) and ``html`` (the
    post as the thread page shows it, the same for every reader: see events.post_html). A
    deleted or hidden post keeps its place (so ids stay continuous for catch-up) but not its
    text."""

    id = serializers.IntegerField(read_only=True)
    thread = serializers.IntegerField(source="thread_id", read_only=True)
    author = serializers.SerializerMethodField()
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    reply_to = serializers.IntegerField(source="reply_to_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)
    deleted = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()
    html = serializers.SerializerMethodField()

    @extend_schema_field(PostAuthorSerializer)
    def get_author(self, post: Post) -> dict[str, Any]:
        return {"id": post.author_id, "name": post.author_name}

    def get_deleted(self, post: Post) -> bool:
        return post.deleted_at is not None

    def get_hidden(self, post: Post) -> bool:
        return post.hidden_at is not None

    def get_reactions(self, post: Post) -> dict[str, int]:
        rows = getattr(post, "reaction_rows", None)
        if rows is None:
            rows = list(post.reactions.all())
        counts: dict[str, int] = {}
        for reaction in rows:
            counts[reaction.kind] = counts.get(reaction.kind, 0) + 1
        return counts

    def get_html(self, post: Post) -> str:
        # A post just created carries the html its socket event was given.
        return getattr(post, "live_html", None) or post_html(post)

    def to_representation(self, post: Post) -> dict[str, Any]:
        data = super().to_representation(post)
        if not post.is_visible:
            data["body"] = data["body_html"] = ""
        return data


class ThreadSerializer(serializers.ModelSerializer):
    """A thread as listed: its flags, what it is tied to, the denormalised activity, and
    the caller's read pointer (``unread`` is true when posts arrived after it)."""

    cohort = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SerializerMethodField()
    last_poster = serializers.SerializerMethodField()
    last_read_post_id = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "cohort",
            "title",
            "session",
            "goal",
            "pinned",
            "locked",
            "announcement",
            "created_by",
            "created_at",
            "last_activity_at",
            "post_count",
            "last_post",
            "last_poster",
            "last_read_post_id",
            "unread",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_created_by(self, thread: Thread) -> dict[str, Any] | None:
        return _person(thread.created_by)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_last_poster(self, thread: Thread) -> dict[str, Any] | None:
        return _person(thread.last_poster)

    def get_last_read_post_id(self, thread: Thread) -> int:
        return getattr(thread, "viewer_last_read", None) or 0

    def get_unread(self, thread: Thread) -> bool:
        return (thread.last_post_id or 0) > self.get_last_read_post_id(thread)

    def get_url(self, thread: Thread) -> str:
        request = self.context.get("request")
        path = thread.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ThreadCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000, help_text="The first post, in Markdown.")
    session = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX
    )
    goal = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)
    announcement = serializers.BooleanField(required=False, default=False)
    client_id = serializers.UUIDField(required=False, allow_null=True)


class PostCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, help_text="Markdown.")
    client_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Makes the request idempotent: the same client_id from the same author "
        "creates one post and answers it again (200) on a repeat.",
    )
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX
    )


class PostEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version the edit started from."
    )


StaleVersionSerializer = inline_serializer(
    "StaleVersion",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "current": PostSerializer(),
    },
)


# --- views -----------------------------------------------------------------------------------


class CohortThreadsView(generics.GenericAPIView):
    """A cohort's threads (pinned first, then by last activity); members only, 404 for
    anyone else. POST starts a thread with its first post (any active member; only
    facilitators make announcements). With ``client_id``, a repeat answers 200 with the
    thread the first request made."""

    serializer_class = ThreadSerializer

    def get_queryset(self) -> QuerySet[Thread]:
        cohort = access_cohort(self.request.user, slug=self.kwargs["slug"], need="content")
        return threads_listing(cohort, self.request.user)

    @extend_schema(responses=ThreadSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = ThreadSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=ThreadCreateSerializer,
        responses={
            201: ThreadSerializer,
            200: ThreadSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        cohort = access_cohort(request.user, slug=slug, need="content")
        form = ThreadCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        client_id = data.get("client_id")
        if client_id is not None:
            # thread_create is not idempotent by itself: a repeat would make a second
            # thread and then trip over the first post's client_id.
            earlier = (
                Post.objects.filter(author=request.user, client_id=client_id)
                .select_related("thread")
                .first()
            )
            if earlier is not None:
                if (
                    earlier.thread.cohort_id != cohort.pk
                    or earlier.thread.created_by_id != request.user.pk
                ):
                    raise DiscussionError("That client_id was already used.", code="conflict")
                thread = threads_listing(cohort, request.user).get(pk=earlier.thread_id)
                return Response(ThreadSerializer(thread, context={"request": request}).data)
        session = goal = None
        if data.get("session") is not None:
            session = Session.objects.filter(cohort=cohort, pk=data["session"]).first()
            if session is None:
                raise DiscussionError("No such session in this cohort.")
        if data.get("goal") is not None:
            goal = LearningGoal.objects.filter(cohort=cohort, pk=data["goal"]).first()
            if goal is None:
                raise DiscussionError("No such goal in this cohort.")
        thread = services.thread_create(
            cohort=cohort,
            author=request.user,
            title=data["title"],
            body=data["body"],
            session=session,
            goal=goal,
            announcement=data["announcement"],
            client_id=str(client_id) if client_id else None,
        )
        thread = threads_listing(cohort, request.user).get(pk=thread.pk)
        return Response(
            ThreadSerializer(thread, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ThreadPostsView(generics.GenericAPIView):
    """A thread's posts, oldest first. ``?after=POST_ID`` returns only the posts with a
    larger id (catch-up after a dropped connection). POST adds a post; the same
    ``client_id`` from the same author twice makes one post: 201 the first time, 200 with
    the same post after. A locked thread refuses new posts (403, code ``locked``)."""

    serializer_class = PostSerializer

    def get_queryset(self) -> QuerySet[Post]:
        thread = access_thread(self.request.user, thread_id=self.kwargs["thread_id"])
        after = self.request.query_params.get("after")
        after_id = 0
        if after not in (None, ""):
            try:
                after_id = int(after)
            except ValueError:
                after_id = -1
            if not 0 <= after_id <= ID_MAX:
                raise serializers.ValidationError(
                    {"after": "A post id: a whole number from 0 up."}
                ) from None
        return posts_listing(thread, after_id)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="Only posts with an id greater than this one (catch-up).",
            )
        ],
        responses={200: PostSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request: Request, thread_id: int) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        # Every post's html from the post cache in one lookup.
        for post, html in zip(page, post_htmls(page) if page else [], strict=True):
            post.live_html = html  # type: ignore[attr-defined]
        return self.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        request=PostCreateSerializer,
        responses={
            201: PostSerializer,
            200: PostSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, thread_id: int) -> Response:
        form = PostCreateSerializer(data=request.data)
        if not form.is_valid():
            # A thread the caller may not read is a 404 before anything about the request.
            access_thread(request.user, thread_id=thread_id)
            raise serializers.ValidationError(form.errors)
        data = form.validated_data
        # The service reads the thread and the right to post once, with the lock it takes
        # (404 for a thread the caller may not read); the post it returns carries what the
        # answer shows, so nothing is read again.
        post, created = services.post_create(
            thread=thread_id,
            author=request.user,
            body=data["body"],
            client_id=data.get("client_id"),
            reply_to=data.get("reply_to"),
        )
        return Response(
            PostSerializer(post).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PostDetailView(generics.GenericAPIView):
    """Edit a post: ``body`` and the ``version`` the edit started from. A stale version
    answers 409 (code ``stale_version``) with the post as it stands under ``current``, and
    nothing is overwritten. Only the author edits (403 for others who can read the thread;
    404 for anyone who cannot)."""

    serializer_class = PostSerializer

    @extend_schema(
        request=PostEditSerializer,
        responses={
            200: PostSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: StaleVersionSerializer,
        },
    )
    def patch(self, request: Request, post_id: int) -> Response:
        post = access_post(request.user, post_id=post_id)
        form = PostEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            post = services.post_edit(
                post=post,
                by=request.user,
                body=form.validated_data["body"],
                version=form.validated_data["version"],
            )
        except StaleVersion as stale:
            current = posts_listing(post.thread).get(pk=stale.current.pk)
            return Response(
                {**service_error_body(stale), "current": PostSerializer(current).data},
                status=status_for(stale.code),
            )
        return Response(PostSerializer(posts_listing(post.thread).get(pk=post.pk)).data)
