"""Long threads are paginated: a page costs the same at 10 or 10,000 posts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from discussions.models import Post
from discussions.selectors import POSTS_PER_PAGE

pytestmark = pytest.mark.django_db


def _bulk_posts(thread, author, n: int) -> list[int]:
    Post.objects.bulk_create(
        [
            Post(thread=thread, author=author, body=f"post {i}", body_html=f"<p>post {i}</p>")
            for i in range(n)
        ]
    )
    last = Post.objects.filter(thread=thread).order_by("-pk").first()
    type(thread).objects.filter(pk=thread.pk).update(last_post=last, post_count=n + 1)
    return list(Post.objects.filter(thread=thread).order_by("pk").values_list("pk", flat=True))


def test_a_long_thread_opens_at_the_first_unread_page_and_pages_both_ways(
    thread, member, signed_in, django_assert_max_num_queries
) -> None:
    ids = _bulk_posts(thread, member, POSTS_PER_PAGE * 3)
    client: Client = signed_in(member)
    url = reverse("discussions:thread", args=[thread.cohort.slug, thread.pk])
    page2 = client.get(url, {"page": 2}).content.decode()
    assert f'id="post-{ids[POSTS_PER_PAGE]}"' in page2
    assert f'id="post-{ids[0]}"' not in page2
    assert "Earlier posts" in page2 and "Later posts" in page2
    assert 'data-live-page="0"' in page2
    assert "Go to the latest posts to reply" in page2
    last = client.get(url, {"page": 4}).content.decode()
    assert f'id="post-{ids[-1]}"' in last
    assert 'data-live-page="1"' in last


def test_thread_page_query_count_does_not_grow_with_the_thread(
    thread, member, signed_in, django_assert_max_num_queries
) -> None:
    client: Client = signed_in(member)
    url = reverse("discussions:thread", args=[thread.cohort.slug, thread.pk])
    client.get(url)
    _bulk_posts(thread, member, 20)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    _bulk_posts(thread, member, POSTS_PER_PAGE * 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page": 3})
    assert response.status_code == 200
