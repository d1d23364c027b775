"""The demo cohort's forum: the discussions app's part of ``seed_demo`` (see
core.registry). Written through the discussion services, then spread over the past weeks.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.seed import person
from cohorts.models import Cohort, Session
from cohorts.seed import DEMO_SLUG
from core.registry import SeedRun
from discussions.models import Post, Thread
from discussions.services import (
    post_create,
    reaction_toggle,
    thread_create,
    thread_mark_read,
    thread_rebuild_stats,
    thread_set_flags,
)

WELCOME_TITLE = "Welcome! Start here: introductions and how we use this forum"
# Who speaks in the demo forum (their @handles are their names, slugified: assigned when
# the accounts are made, first come).
DEMO_VOICES = {
    "fatima": "facilitator@example.org",
    "diego": "cofacilitator@example.org",
    "mei": "member@example.org",
    "jordan": "member2@example.org",
    "amara": "amara.nwosu@example.org",
    "luis": "luis.ortega@example.org",
    "hannah": "hannah.weiss@example.org",
    "kenji": "kenji.watanabe@example.org",
}
# Each thread: its opener and replies in order. A reply starting with "> " quotes (and
# replies to) the post before it. Reactions name (post index, person, kind).
# ``mei_read_to`` leaves Mei's read pointer at that post, so what follows is unread.
DEMO_THREADS: list[dict[str, Any]] = [
    {
        "by": "fatima",
        "title": WELCOME_TITLE,
        "pinned": True,
        "announcement": True,
        "days_ago": 34,
        "posts": [
            (
                "fatima",
                "Welcome, everyone! This forum is where our cohort lives between sessions.\n\n"
                "- **Introduce yourself** below: your name, your campus, and one partnership "
                "you'll bring to our work together.\n"
                "- Start a thread whenever you have a question, a story or a resource: "
                "everyone here has knowledge to share.\n"
                "- Use @name to bring someone into a conversation.\n\n"
                "Stories shared here stay in the cohort. — Fatima",
            ),
            (
                "mei",
                "Hi all, I'm Mei (she/they), service-learning coordinator at Harbor Community "
                "College. I'm bringing our partnership with a family literacy centre that "
                "hosts 40 students a term, and wondering whether it serves them as well as "
                "it serves us.",
            ),
            (
                "jordan",
                "Jordan here (they/them), Prairie State. I do community-engaged research with "
                "two tribal nations' education departments. Data sovereignty is where my "
                "questions live right now.",
            ),
            (
                "amara",
                "Amara, Lakeshore State. Our food-access coalition has seven partners and "
                "no written agreement with any of them. I'm here to change that!",
            ),
            (
                "diego",
                "Great to meet you all. I'm Diego, co-facilitating with Fatima. @mei-lin, "
                "the literacy centre question is exactly the kind we hoped someone would bring.",
            ),
        ],
        "reactions": [
            (0, "mei", "heart"),
            (0, "luis", "thanks"),
            (1, "fatima", "heart"),
            (2, "hannah", "insight"),
            (3, "kenji", "agree"),
        ],
        "mei_read_to": 4,
    },
    {
        "by": "luis",
        "title": "What does reciprocity look like in practice?",
        "days_ago": 27,
        "posts": [
            (
                "luis",
                "We all say our partnerships are *reciprocal*. But when I ask our partners "
                "what they get out of hosting students, the honest answer is often "
                '"extra supervision work". How do you know reciprocity is real and not '
                "just a word in the grant report?",
            ),
            (
                "mei",
                "I asked our literacy centre director that exact question last month. She "
                "said the students help, but what she really values is our library access "
                "and a faculty member who helped write their evaluation. None of that is in "
                "our MOU.",
            ),
            (
                "hannah",
                "The 4R's framework (respect, relevance, reciprocity, responsibility) helped "
                "us here: we now ask partners to name what *they* want to get, first, before "
                "we plan any course.",
            ),
            (
                "jordan",
                "> we now ask partners to name what *they* want to get, first\n\n"
                "This. In my work the question is also who owns what we learn together. "
                "Reciprocity includes the data and the stories, not only the hours.",
            ),
            (
                "fatima",
                "Lovely thread. @luis-ortega, would you bring your partnership rubric to "
                "session 4? It asks partners to score the benefits they receive, and I think "
                "it would answer your own question.",
            ),
            (
                "luis",
                "Happy to, @fatima-haddad. I'll share a blank copy here before the session.",
            ),
        ],
        "reactions": [
            (0, "kenji", "agree"),
            (2, "mei", "insight"),
            (2, "jordan", "thanks"),
            (3, "hannah", "heart"),
            (3, "luis", "insight"),
            (4, "luis", "thanks"),
        ],
        "mei_read_to": 2,
    },
    {
        "by": "amara",
        "title": "Community partner voice: who sets the agenda?",
        "days_ago": 20,
        "posts": [
            (
                "amara",
                "At our coalition meetings the campus people talk most. Our partners are "
                "polite, and busy, and they let us drive. How do you make room for community "
                "partners to set the agenda, not just react to it?",
            ),
            (
                "kenji",
                "We pay partners for their time at planning meetings (a small stipend) and "
                "we meet at their site, not on campus. It changed who speaks.",
            ),
            (
                "jordan",
                "We rotate the chair: a community partner chairs every other meeting and "
                "writes the agenda. It felt awkward for two months and then it just worked.",
            ),
            (
                "mei",
                "@amara-nwosu, our partners told us they hate surveys but will happily talk "
                "for ten minutes on the phone. Maybe ask them how *they* want to be heard?",
            ),
        ],
        "reactions": [(1, "amara", "insight"), (2, "amara", "thanks"), (2, "diego", "agree")],
    },
    {
        "by": "kenji",
        "title": "MOUs: templates that worked (and ones that didn't)",
        "days_ago": 13,
        "posts": [
            (
                "kenji",
                "Our legal office's MOU template is eleven pages and written for vendors. "
                "Has anyone got a partnership agreement that reads like it was written by "
                "people who trust each other?",
            ),
            (
                "hannah",
                "Ours is two pages: shared goals, what each side gives and gains, who to "
                "call, how we'll check in, and how either side can end it kindly. Legal "
                "attaches their terms as an appendix.",
            ),
            (
                "amara",
                "> how either side can end it kindly\n\n"
                "I'd never thought to write down an exit. That alone would have saved us a "
                "painful year with one partner.",
            ),
            (
                "diego",
                "This ties straight into the goal we adopted (co-writing agreements with "
                "our partners). @kenji-watanabe, could you and @hannah-weiss post an "
                "anonymised version for us to annotate?",
            ),
            (
                "hannah",
                "Posted to the resources shelf. Remember: the point is that the partner "
                "writes half of it.",
            ),
        ],
        "reactions": [(1, "kenji", "thanks"), (1, "mei", "insight"), (2, "hannah", "heart")],
        "mei_read_to": 1,
    },
    {
        "by": "diego",
        "title": "Prep: assessing partnerships with our partners",
        "session": True,
        "days_ago": 5,
        "posts": [
            (
                "diego",
                "For our next session: come with **one thing you measure** about a "
                "partnership, and ask yourself who chose it. We'll try turning one of our "
                "measures into a question the partner would want answered.",
            ),
            (
                "jordan",
                "I'll bring our data-sharing agreement: it says who can publish what. "
                "Assessment looks different when the community owns half the data.",
            ),
            (
                "luis",
                "Here's the blank partnership rubric I promised: five benefits, scored by the "
                "partner, with space for a story. Try it on one of yours before the session?",
            ),
        ],
        "reactions": [(2, "fatima", "thanks"), (2, "jordan", "agree")],
    },
]


def seed_demo(run: SeedRun) -> None:
    threads = seed_discussions()
    run.write(f"Demo threads: {threads} created" if threads else "Demo threads: all already there.")


def seed_discussions() -> int:
    """The demo cohort's forum: a pinned welcome thread by the facilitator and four
    conversations among the members (with @mentions, reactions, a quoted reply and a
    thread tied to the next session), written through the discussion services and then
    spread over the past weeks. Mei (member@example.org) has read only part of it, so
    she sees unread posts. Skipped when the welcome thread is already there."""
    cohort = Cohort.objects.filter(slug=DEMO_SLUG).first()
    if cohort is None or Thread.objects.filter(cohort=cohort, title=WELCOME_TITLE).exists():
        return 0
    with transaction.atomic():
        return build_discussions(cohort)


def build_discussions(cohort: Cohort) -> int:
    people = {key: person(email) for key, email in DEMO_VOICES.items()}
    upcoming = (
        Session.objects.filter(cohort=cohort, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    made: list[Thread] = []
    for number, spec in enumerate(DEMO_THREADS):
        author = people[spec["by"]]
        session = upcoming if spec.get("session") else None
        title = spec["title"]
        if session is not None:
            title = f"{title} ({session.title})"
        (first_by, first_body), *replies = spec["posts"]
        assert first_by == spec["by"]
        thread = thread_create(
            cohort=cohort,
            author=author,
            title=title,
            body=first_body,
            session=session,
            announcement=spec.get("announcement", False),
            client_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-{number}-0")),
        )
        if spec.get("pinned"):
            thread_set_flags(thread=thread, by=author, pinned=True)
        posts = [thread.posts.get()]
        for index, (by, body) in enumerate(replies, start=1):
            reply_to = None
            if body.startswith("> "):
                reply_to = posts[-1]
            post, _ = post_create(
                thread=thread,
                author=people[by],
                body=body,
                reply_to=reply_to,
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-{number}-{index}"),
            )
            posts.append(post)
        for index, who, kind in spec.get("reactions", []):
            reaction_toggle(post=posts[index], user=people[who], kind=kind)
        read_to = spec.get("mei_read_to")
        if read_to is not None:
            thread_mark_read(thread=thread, user=people["mei"], up_to=posts[read_to].pk)
        backdate(posts, days_ago=spec["days_ago"])
        made.append(thread)
    thread_rebuild_stats(thread_ids=[t.pk for t in made])
    return len(made)


def backdate(posts: list[Post], *, days_ago: int) -> None:
    """Spread a conversation over the days after ``days_ago`` (a few hours apart)."""
    start = timezone.now() - timedelta(days=days_ago)
    for index, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(
            created_at=start + timedelta(hours=5 * index + (index % 3))
        )
    Thread.objects.filter(pk=posts[0].thread_id).update(created_at=start)
