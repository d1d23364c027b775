"""Post bodies, through the real post service (mention linking included), render inert
whatever mix of text, mentions and attacks they hold."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from core.text import clean_multiline
from discussions.models import Thread
from discussions.services import post_create, post_edit
from tests.core.test_markdown import DANGEROUS, assert_inert

ATTACKS = [
    *DANGEROUS,
    "<svg><script>alert(1)</script></svg>",
    '<math><mtext><iframe src="javascript:alert(1)"></iframe></mtext></math>',
    "[x](  javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![x](data:image/png;base64,AAAA)",
    "<object data=x></object><embed src=x>",
    '<a href="/people/1/" onmouseover="x()">@pat-peer</a>',
    "[@pat-peer](javascript:alert(1))",
    "@pat-peer<img src=x onerror=alert(1)>",
    '`<script>` @pat-peer ``"><svg onload=x>``',
    '<form action="javascript:x"><input autofocus onfocus=x></form>',
    "<style>*{display:none}</style>",
]
fragment = st.one_of(
    st.sampled_from(ATTACKS),
    st.sampled_from(["@pat-peer", "@mei-member", "`@pat-peer`", "\n\n    code @pat-peer\n\n"]),
    # No NUL: PostgreSQL cannot store it, and the forms and API refuse it before a service.
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=60,
    ),
)
bodies = st.lists(fragment, min_size=1, max_size=6).map(lambda parts: " ".join(parts))


def test_every_known_attack_in_a_post_renders_inert(thread: Thread, member: User, peer: User):
    for attack in ATTACKS:
        post, _ = post_create(thread=thread, author=member, body=f"@pat-peer {attack}")
        assert_inert(post.body_html)
        assert f"/people/{peer.pk}/" in post.body_html


def test_any_post_body_renders_inert_when_created_and_edited(
    thread: Thread, member: User, peer: User
):
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies, edit=bodies)
    def run(body: str, edit: str) -> None:
        # Bodies that are blank once control characters go are refused as blank, by design.
        if not clean_multiline(body).strip():
            return
        post, _ = post_create(thread=thread, author=member, body=body)
        assert_inert(post.body_html)
        if clean_multiline(edit).strip():
            edited = post_edit(post=post, by=member, body=edit, version=post.version)
            assert_inert(edited.body_html)

    run()


def test_mention_links_point_only_at_profiles(thread: Thread, member: User, peer: User):
    post, _ = post_create(thread=thread, author=member, body="Hi @pat-peer and @mei-member")
    hrefs = _hrefs(post.body_html)
    assert hrefs == [f"/people/{peer.pk}/", f"/people/{member.pk}/"]


def _hrefs(html: str) -> list[Any]:
    import re

    return re.findall(r'href="([^"]*)"', html)
