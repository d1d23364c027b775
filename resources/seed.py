"""The demo cohort's shared repertoire: the resources app's part of ``seed_demo`` (see
core.registry), and with ``--scale`` synthetic volume for the benchmarks.

Everything is made through the repertoire's services (files go through the upload module,
with real PDF and Word documents made by :mod:`resources.samples`), then spread over the
past weeks. The files' text is extracted right away, in the seeding process (the same task
the background worker runs), so search finds the words inside them as soon as
``make run`` serves; the queued copy of that task the worker picks up later finds the
same text and changes nothing. Idempotent: when the demo cohort already has its
repertoire nothing is added (a file whose extraction did not finish is extracted again).
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from accounts.seed import person
from cohorts.models import Cohort, Session
from cohorts.seed import DEMO_SLUG
from core.registry import SeedRun
from files.models import StoredFile
from resources import samples, search_index
from resources.models import FileVersion, Resource, Tag, UsefulMark
from resources.services import (
    ResourceInput,
    collection_add,
    collection_create,
    resource_add_version,
    resource_create,
    useful_mark,
)
from resources.services import _search_text as search_text_of

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

MOU_TITLE = "Reciprocity MOU template: a two-page partnership agreement"

# Each resource: who shares it, its kind and fields, how many days ago, and for files the
# document (its name and paragraphs). Phrases inside the documents appear nowhere else,
# so a search for them shows that the file's text is found.
DEMO_RESOURCES: list[dict[str, Any]] = [
    {
        "key": "mou",
        "by": "hannah",
        "kind": "file",
        "days_ago": 12,
        "title": MOU_TITLE,
        "description": (
            "The agreement we now use with every partner: shared goals, what each side "
            "gives and gains, who to call, how we check in, and how either side can end it "
            "kindly. Our legal office attaches its own terms as an appendix.\n\n"
            "*The point is that the partner writes half of it.*"
        ),
        "competencies": ["PAR-3", "PAR-5"],
        "areas": ["partnerships"],
        "tags": ["MOU", "agreements", "reciprocity", "templates"],
        "licence": "cc-by-sa",
        "source": "Hannah Weiss and Kenji Watanabe, anonymised from a real agreement",
        "file": (
            "reciprocity-mou-template.pdf",
            "Partnership agreement (template)",
            [
                "1. Who we are. Name both organisations and the people who will do the work. "
                "The community partner introduces itself in its own words.",
                "2. Shared goals. Write two or three goals together, in plain language. Each "
                "goal says what changes for the neighbourhood, not only for students.",
                "3. What each side gives and gains. A two-column table: the college gives "
                "library access, student hours and evaluation help; the partner gives "
                "supervision, local knowledge and a site. Each side names what it gains.",
                "4. Check-ins. We meet at the partner's site once a month and rotate who "
                "chairs. Either side may call a meeting.",
                "5. Ending kindly. Either side may end this agreement with thirty days' "
                "notice and a closing conversation; students already placed finish their "
                "term. This is our graceful exit clause.",
            ],
            "First version, shared after the MOU thread.",
        ),
        "version2": (
            "hannah",
            "reciprocity-mou-template-v2.pdf",
            [
                "6. Stories and data. What we learn together belongs to both of us. Neither "
                "side publishes a partner's stories or data without a yes from the other; "
                "this is our data stewardship clause, added after Jordan's comments.",
            ],
            "Adds a clause on who owns stories and data (thanks, Jordan).",
        ),
    },
    {
        "key": "assets",
        "by": "amara",
        "kind": "file",
        "days_ago": 25,
        "title": "Community asset-mapping guide for first partner meetings",
        "description": (
            "A step-by-step guide to mapping what a neighbourhood already has before we "
            "ask what it needs: people, associations, institutions, places and stories."
        ),
        "competencies": ["PAR-2", "PAR-4"],
        "areas": ["partnerships"],
        "tags": ["asset mapping", "ABCD", "first meetings"],
        "licence": "cc-by-nc",
        "source": "Lakeshore State food-access coalition",
        "file": (
            "asset-mapping-guide.docx",
            "Mapping community assets: a guide",
            [
                "Start with a neighbourhood walk led by a resident. Note every association, "
                "congregation, corner store and bus stop where people gather.",
                "Make an asset inventory with five columns: individuals, associations, "
                "institutions, physical spaces and local economy.",
                "Ask each partner which gifts of the head, hands and heart they bring, and "
                "record them in their words.",
                "Close the first meeting by choosing one asset the campus can connect to "
                "another, so the map turns into a first small project.",
            ],
            "",
        ),
    },
    {
        "key": "case",
        "by": "luis",
        "kind": "file",
        "days_ago": 20,
        "scope": "platform",
        "title": "Case study: a food-access coalition between a college and seven partners",
        "description": (
            "How Harbor Community College and seven neighbourhood organisations turned a "
            "one-off food drive into a coalition the partners lead. Shared with everyone on "
            "Commonplace, with the partners' permission."
        ),
        "competencies": ["FUN-5", "PAR-3", "PAR-5"],
        "areas": ["partnerships", "fundamentals"],
        "tags": ["case study", "food access", "coalitions"],
        "licence": "cc-by",
        "source": "Luis Ortega with the Eastside coalition steering table",
        "file": (
            "food-coalition-case-study.pdf",
            "Case study: the Eastside food-access coalition",
            [
                "Background. For three years the college ran a food drive each November. "
                "Partners said it filled shelves for a month and then left them empty.",
                "Turning point. The steering table met in the church basement instead of on "
                "campus, and the pantry director chaired. The agenda changed within a month.",
                "What the partners lead. Partners choose the projects, co-write the grant "
                "reports and decide where students are placed.",
                "What the college brings. Student hours, a van, data analysis, and a staff "
                "member who attends every steering table meeting.",
                "Lessons. Reciprocity meant giving up the calendar. The coalition now plans "
                "its year in January, and the college fits its courses around it.",
            ],
            "",
        ),
    },
    {
        "key": "power",
        "by": "jordan",
        "kind": "file",
        "days_ago": 9,
        "title": "Power-mapping worksheet for partnership planning",
        "description": (
            "A worksheet for mapping who decides what in a partnership, and who is missing "
            "from the table. Use it before a planning meeting, ideally with the partner."
        ),
        "competencies": ["PAR-1", "PAR-5"],
        "areas": ["partnerships"],
        "tags": ["power", "worksheets", "equity"],
        "licence": "cc-by-sa",
        "file": (
            "power-mapping-worksheet.docx",
            "Power-mapping worksheet",
            [
                "Step 1. List every person and group the partnership touches, on and off campus.",
                "Step 2. Place each on two axes: how much they influence decisions, and how "
                "much the decisions affect them.",
                "Step 3. Circle the people in the high-impact, low-influence corner. Ask how "
                "they could come to the table, and who should invite them.",
                "Step 4. Note who controls money, time, data and the meeting agenda. Those "
                "four levers decide more than any organisational chart.",
            ],
            "",
        ),
    },
    {
        "key": "datasharing",
        "by": "jordan",
        "kind": "file",
        "days_ago": 6,
        "title": "Data-sharing agreement checklist for research with tribal education partners",
        "description": (
            "The checklist we use before any engaged research: who owns the data, who may "
            "publish, and how the community reviews findings first."
        ),
        "competencies": ["PAR-5", "ASE-4"],
        "areas": ["partnerships", "assessment-evaluation"],
        "tags": ["data sovereignty", "research", "agreements"],
        "licence": "all-rights-reserved",
        "source": "Prairie State community-engaged research office",
        "file": (
            "data-sharing-checklist.pdf",
            "Data-sharing agreement checklist",
            [
                "Ownership: the nation's education department owns the data; the university "
                "holds a copy under licence.",
                "Review: findings go to the tribal council's research review board before "
                "any conference talk or article.",
                "Storage and return: where data is kept, who can open it, and when it is "
                "returned or destroyed at the end of the project.",
            ],
            "",
        ),
    },
    {
        "key": "meeting",
        "by": "mei",
        "kind": "note",
        "days_ago": 4,
        "title": "Notes from our partner meeting at the family literacy centre",
        "description": "What the centre's director told us when we asked what she gets from us.",
        "body": (
            "## What we asked\n\n"
            "What does the centre actually get from hosting our students?\n\n"
            "## What we heard\n\n"
            "- Students help, but supervising them takes **two staff hours a week**.\n"
            "- What she values most is our **library access** and the faculty member who "
            "helped write their evaluation plan.\n"
            "- None of that is in our MOU.\n\n"
            "## What we will try\n\n"
            "1. Rewrite the MOU with the centre, using Hannah's template.\n"
            "2. Offer evaluation help every spring, named as what the centre gains.\n"
            "3. Ask the director to co-present at session 5."
        ),
        "competencies": ["PAR-2", "PAR-3"],
        "areas": ["partnerships"],
        "tags": ["partner meetings", "reciprocity", "literacy"],
    },
    {
        "key": "reflection",
        "by": "diego",
        "kind": "note",
        "days_ago": 28,
        "title": "Reflection protocol: What? So what? Now what?",
        "description": "The three-question protocol we use to open every session.",
        "body": (
            "Use this after a partner meeting, a site visit or a hard conversation. Ten "
            "minutes alone, then ten in pairs.\n\n"
            "1. **What?** Describe what happened, as a partner would tell it.\n"
            "2. **So what?** What did it mean for the partner? For you? Whose knowledge "
            "shaped the outcome?\n"
            "3. **Now what?** One thing you will do differently, and who you will ask "
            "about it first.\n\n"
            "Write down the partner's words where you can: they are the best evidence."
        ),
        "competencies": ["FUN-2", "PAR-1"],
        "areas": ["fundamentals", "partnerships"],
        "tags": ["reflection", "protocols"],
        "licence": "cc-by",
    },
    {
        "key": "rubric",
        "by": "luis",
        "kind": "note",
        "days_ago": 5,
        "title": "Partnership rubric: five benefits scored by the partner",
        "description": (
            "The blank rubric promised in the reciprocity thread. Try it on one of yours."
        ),
        "body": (
            "Ask the partner to score each benefit from 0 (none) to 3 (essential), and to "
            "tell one story for the highest score.\n\n"
            "| Benefit | Score | Story |\n| --- | --- | --- |\n"
            "| Capacity: work done that would not get done | | |\n"
            "| Knowledge: expertise or research the partner uses | | |\n"
            "| Access: campus spaces, libraries, networks | | |\n"
            "| Voice: a say in courses and research | | |\n"
            "| Relationships: people the partner would call | | |\n\n"
            "Compare the partner's scores with ours. The gaps are the agenda."
        ),
        "competencies": ["ASE-3", "ASE-6", "PAR-3"],
        "areas": ["assessment-evaluation", "partnerships"],
        "tags": ["assessment", "rubrics", "reciprocity"],
        "licence": "cc-by",
    },
    {
        "key": "stipends",
        "by": "kenji",
        "kind": "note",
        "days_ago": 2,
        "title": "Paying partners for their time: what we pay and how",
        "description": "How we set up stipends for community partners at planning meetings.",
        "body": (
            "We pay partners **$75 per planning meeting**, from the engagement office's "
            "budget, by gift card or cheque (their choice). We meet at their site.\n\n"
            "What changed: partners who never spoke now chair. What it took: one "
            "conversation with our finance office and a line in every grant budget."
        ),
        "competencies": ["PAR-3", "PAR-5"],
        "areas": ["partnerships"],
        "tags": ["stipends", "partner voice"],
    },
    {
        "key": "ccph",
        "by": "kenji",
        "kind": "link",
        "days_ago": 18,
        "title": "Community-Campus Partnerships for Health",
        "url": "https://www.ccph.info/",
        "description": (
            "A network that has long published principles of good community-campus "
            "partnership. Their principles are a useful checklist for our MOUs."
        ),
        "competencies": ["PAR-3", "FUN-5"],
        "areas": ["partnerships", "fundamentals"],
        "tags": ["principles", "networks"],
        "source": "Community-Campus Partnerships for Health",
    },
    {
        "key": "toolbox",
        "by": "amara",
        "kind": "link",
        "days_ago": 15,
        "scope": "public",
        "title": "Community Tool Box: free guides to community work",
        "url": "https://ctb.ku.edu/en",
        "description": (
            "Hundreds of free, practical chapters, including assessing community needs "
            "and resources. Good to hand to students before a first site visit."
        ),
        "competencies": ["PAR-2", "PAR-4"],
        "areas": ["partnerships"],
        "tags": ["toolkits", "asset mapping"],
        "source": "Center for Community Health and Development, University of Kansas",
    },
    {
        "key": "compact",
        "by": "fatima",
        "kind": "link",
        "days_ago": 33,
        "title": "Campus Compact: resources on community engagement",
        "url": "https://compact.org/",
        "description": (
            "The national coalition behind this credential. Start here for definitions "
            "and frameworks of community engagement in higher education."
        ),
        "competencies": ["FUN-1", "FUN-3"],
        "areas": ["fundamentals"],
        "tags": ["frameworks", "networks"],
        "source": "Campus Compact",
    },
]

# Who found what useful, and how they used it.
DEMO_USEFUL: list[tuple[str, str, str]] = [
    ("mou", "mei", "We rewrote our literacy centre MOU with it; the director wrote section 3."),
    ("mou", "amara", "The exit clause alone would have saved us a painful year."),
    ("mou", "jordan", "Section 6 now matches how we handle data with our partners."),
    ("assets", "hannah", "Used the five columns in our first meeting with a tenants' union."),
    ("reflection", "kenji", "I run it after every site visit with my student leaders."),
    ("reflection", "mei", ""),
    ("power", "luis", "Showed us that the pantry director had no say over the calendar."),
    ("rubric", "fatima", "Bringing it to session 4: it answers Luis's own question."),
    ("case", "diego", "A clear example of a partner-led steering table."),
    ("meeting", "hannah", "Honest and brave. We will ask our partners the same question."),
]

SESSION_COLLECTION = "Readings for our session on assessing partnerships"
SESSION_ITEMS = ["rubric", "datasharing", "ccph"]
STARTER_COLLECTION = "Starter kit: agreements and first meetings"
STARTER_ITEMS = ["mou", "assets", "reflection"]


def seed_demo(run: SeedRun) -> None:
    made = seed_resources()
    extracted = extract_pending()
    if made:
        run.write(f"Demo resources: {made} created ({extracted} files' text extracted).")
    else:
        run.write("Demo resources: all already there.")


def seed_resources() -> int:
    """The demo cohort's repertoire, made in one transaction; skipped when the MOU
    template (the first demo resource) is already there."""
    cohort = Cohort.objects.filter(slug=DEMO_SLUG).first()
    if cohort is None or Resource.objects.filter(cohort=cohort, title=MOU_TITLE).exists():
        return 0
    with transaction.atomic():
        return build_resources(cohort)


def build_resources(cohort: Cohort) -> int:
    people = {key: person(email) for key, email in DEMO_VOICES.items()}
    made: dict[str, Resource] = {}
    for spec in DEMO_RESOURCES:
        by = people[spec["by"]]
        upload = None
        note = ""
        if spec["kind"] == "file":
            name, heading, paragraphs, note = spec["file"]
            upload = _upload(name, heading, paragraphs)
        resource = resource_create(
            cohort=cohort,
            by=by,
            kind=spec["kind"],
            data=ResourceInput(
                title=spec["title"],
                description=spec.get("description", ""),
                url=spec.get("url", ""),
                body=spec.get("body", ""),
                scope=spec.get("scope", Resource.Scope.COHORT),
                licence=spec.get("licence", ""),
                source=spec.get("source", ""),
                areas=spec.get("areas", ()),
                competencies=spec.get("competencies", ()),
                tags=spec.get("tags", ()),
            ),
            upload=upload,
            version_note=note,
        )
        if "version2" in spec:
            who, name, more, version_note = spec["version2"]
            _, heading, paragraphs, _ = spec["file"]
            resource_add_version(
                resource=resource,
                by=people[who],
                upload=_upload(name, heading, [*paragraphs, *more]),
                note=version_note,
            )
        made[spec["key"]] = resource
    for key, who, why in DEMO_USEFUL:
        useful_mark(resource=made[key], user=people[who], note=why)
    _collections(cohort, made, people["fatima"])
    _backdate(made)
    return len(made)


def _upload(name: str, heading: str, paragraphs: list[str]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    if name.endswith(".pdf"):
        return SimpleUploadedFile(name, samples.pdf_document(heading, paragraphs))
    return SimpleUploadedFile(name, samples.docx_document(heading, paragraphs))


def _collections(cohort: Cohort, made: dict[str, Resource], by: User) -> None:
    """A collection listed as the next session's materials, and a starter kit."""
    upcoming = (
        Session.objects.filter(
            cohort=cohort, starts_at__gt=timezone.now(), cancelled_at__isnull=True
        )
        .order_by("starts_at")
        .first()
    )
    session_list = collection_create(
        cohort=cohort,
        by=by,
        title=SESSION_COLLECTION,
        description="Read the rubric first; bring one measure you use.",
        session=upcoming,
    )
    for key in SESSION_ITEMS:
        collection_add(collection=session_list, by=by, resource=made[key])
    starter = collection_create(
        cohort=cohort,
        by=by,
        title=STARTER_COLLECTION,
        description="Where we suggest new members begin.",
    )
    for key in STARTER_ITEMS:
        collection_add(collection=starter, by=by, resource=made[key])


def _backdate(made: dict[str, Resource]) -> None:
    """Spread the repertoire over the past weeks (a second version two days later)."""
    now = timezone.now()
    for spec in DEMO_RESOURCES:
        resource = made[spec["key"]]
        at = now - timedelta(days=spec["days_ago"], hours=3)
        Resource.objects.filter(pk=resource.pk).update(created_at=at, updated_at=at)
        for version in resource.versions.all():
            later = min(now, at + timedelta(days=2 * (version.number - 1)))
            FileVersion.objects.filter(pk=version.pk).update(created_at=later)
            if version.number > 1:
                Resource.objects.filter(pk=resource.pk).update(updated_at=later)
        UsefulMark.objects.filter(resource=resource).update(
            created_at=min(now, at + timedelta(days=1))
        )


def extract_pending() -> int:
    """Extract now the text of the demo cohort's files still waiting for it (the task
    the worker would run, called in this process), so search finds their words at once."""
    from files.tasks import extract_text

    pending = list(
        StoredFile.objects.filter(
            pk__in=FileVersion.objects.filter(resource__cohort__slug=DEMO_SLUG).values("file_id"),
            extraction=StoredFile.Extraction.PENDING,
        ).values_list("pk", flat=True)
    )
    for pk in pending:
        extract_text.call(str(pk))
    return len(pending)


# --- synthetic volume -----------------------------------------------------------------------

WORDS = [
    *("partnership", "reciprocity", "asset", "mapping", "community", "campus", "students"),
    *("faculty", "neighbourhood", "coalition", "agreement", "reflection", "assessment"),
    *("rubric", "stipend", "literacy", "food", "access", "housing", "health", "youth"),
    *("elders", "library", "research", "data", "stories", "evaluation", "planning"),
    *("meeting", "listening", "trust", "power", "equity", "voice"),
]
PER_BLOCK = 500
BATCH = 2_000


def synthetic_resources(
    cohorts: list[Cohort], contributors: dict[int, list[int]], count: int, *, start: int = 0
) -> int:
    """``count`` links and notes spread over ``cohorts`` (contributed by the user ids
    ``contributors[cohort.pk]``), made with bulk_create: rows, tags and competencies in a
    few queries per batch. The caller rebuilds the search index afterwards (SQLite; on
    PostgreSQL the generated column is filled as the rows are written)."""
    from competencies.models import Competency

    if not cohorts or count <= 0:
        return 0
    codes = {
        c.framework_id: list(
            Competency.objects.filter(framework_id=c.framework_id)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        for c in cohorts
    }
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("synthetic", *WORDS[:8])]
    now = timezone.now()
    cycle = itertools.cycle(cohorts)
    made = 0
    while made < count:
        rows: list[Resource] = []
        for n in range(start + made, start + min(count, made + BATCH)):
            cohort = next(cycle)
            people: list[int | None] = [*contributors.get(cohort.pk, [])] or [None]
            words = [WORDS[(n * k + k) % len(WORDS)] for k in (1, 3, 7, 11, 13)]
            title = f"Synthetic resource {n}: {words[0]} and {words[1]}"
            description = f"Notes on {words[2]}, {words[3]} and {words[4]} in our partnership."
            kind = Resource.Kind.NOTE if n % 2 else Resource.Kind.LINK
            body = f"We talked about {' '.join(words)} with our partners." if n % 2 else ""
            resource = Resource(
                cohort=cohort,
                kind=kind,
                title=title,
                description=description,
                description_html=f"<p>{escape(description)}</p>\n",
                url="" if n % 2 else f"https://example.org/synthetic/{n}",
                body=body,
                body_html=f"<p>{escape(body)}</p>\n" if body else "",
                contributor_id=people[n % len(people)],
                created_at=now - timedelta(minutes=n % 100_000),
                updated_at=now,
            )
            resource.search_text = search_text_of(resource, ["synthetic", words[0]])
            rows.append(resource)
        Resource.objects.bulk_create(rows, batch_size=1_000)
        if any(r.pk is None for r in rows):  # a database that does not return the ids
            ids = dict(
                Resource.objects.filter(title__in=[r.title for r in rows]).values_list(
                    "title", "pk"
                )
            )
            for r in rows:
                r.pk = ids[r.title]
        created = [(r.pk, r.cohort.framework_id) for r in rows]
        tag_through = Resource.tags.through
        comp_through = Resource.competencies.through
        tag_rows, comp_rows = [], []
        for i, (pk, framework_id) in enumerate(created):
            tag_rows.append(tag_through(resource_id=pk, tag_id=tags[0].pk))
            tag_rows.append(tag_through(resource_id=pk, tag_id=tags[1 + i % (len(tags) - 1)].pk))
            pool = codes.get(framework_id) or []
            if pool:
                comp_rows.append(comp_through(resource_id=pk, competency_id=pool[i % len(pool)]))
        tag_through.objects.bulk_create(tag_rows, batch_size=2_000, ignore_conflicts=True)
        comp_through.objects.bulk_create(comp_rows, batch_size=2_000, ignore_conflicts=True)
        made += len(rows)
    return made


@transaction.atomic
def seed_scale(run: SeedRun) -> None:
    """``PER_BLOCK`` synthetic resources a block, in the synthetic cohorts the cohorts
    seeder made in this run (by their members), then the search index rebuilt in batches."""
    from cohorts.models import Membership

    cohorts = list(run.synthetic.get("cohorts", []))
    if not cohorts:
        demo = Cohort.objects.filter(slug=DEMO_SLUG).first()
        cohorts = [demo] if demo is not None else []
    if not cohorts:
        return
    contributors: dict[int, list[int]] = {}
    for cohort_id, user_id in (
        Membership.objects.filter(cohort__in=cohorts, status=Membership.Status.ACTIVE)
        .order_by("pk")
        .values_list("cohort_id", "user_id")
    ):
        contributors.setdefault(cohort_id, []).append(user_id)
    start = Resource.objects.filter(title__startswith="Synthetic resource ").count()
    count = synthetic_resources(cohorts, contributors, PER_BLOCK * run.scale, start=start)
    search_index.rebuild()
    run.synthetic["resources"] = list(range(count))
