"""The demo journal: the journals app's part of ``seed_demo`` (see core.registry), and with
``--scale`` synthetic entries for the benchmarks.

``member@example.org`` (Mei Lin) has kept a journal for five months: a dozen entries on
Community Partnerships and Community Engagement Fundamentals, most private, some shared
with the demo cohort's facilitators, one with the whole cohort. They cite what the other
seeders made (a resource and a specific file version, Mei's own forum posts, sessions she
attended, the goal she proposed, her training completion), a web link and two uploaded
files. She rated herself on the partnerships area twice, months apart. The facilitator
posted two prompts: Mei answered the first (now closed) in an entry shared with the
facilitators, who commented, and Mei replied; the second is open. Member2 (Jordan) answered
the first prompt too. The coverage map shows strong cells (PAR-3, PAR-5), thin ones (PAR-1,
PAR-2 with two entries) and an empty one (PAR-4).

Everything goes through the journal services (the evidence rules are checked as on the
site), then dates are spread over the past months. Idempotent: once Mei has the first demo
entry, nothing is added.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from accounts.seed import person
from cohorts.models import Cohort, LearningGoal, Membership, Session
from cohorts.seed import DEMO_SLUG
from competencies.models import Area, Competency
from core.registry import SeedRun
from discussions.models import Post
from journals.models import Comment, Entry, EntryCompetency, Evidence, Prompt, SelfAssessment
from journals.services import (
    EntryInput,
    EvidenceInput,
    PromptInput,
    RatingInput,
    comment_create,
    entry_create,
    evidence_add,
    prompt_close,
    prompt_create,
    self_assessment_take,
)

MEMBER = "member@example.org"
MEMBER2 = "member2@example.org"
FACILITATOR = "facilitator@example.org"
# The first demo entry: when Mei has it, the demo journal is there.
MARKER_TITLE = "Why I keep asking who benefits"
ANSWERED_PROMPT = "Ask your partner: what do you gain from working with us?"
OPEN_PROMPT = "Before session 4: how would your partner judge this partnership?"

Kind = Evidence.Kind
PRIVATE = Entry.Visibility.PRIVATE
FACILITATORS = Entry.Visibility.FACILITATORS
COHORT = Entry.Visibility.COHORT


@dataclass
class Cite:
    """A piece of evidence: ``target`` names what the other seeders made (see
    :func:`_targets`); ``upload`` is (file name, heading, paragraphs) for a file."""

    kind: str
    annotation: str
    competency: str = ""
    target: str = ""
    version: int | None = None
    url: str = ""
    label: str = ""
    upload: tuple[str, str, list[str]] | None = None


@dataclass
class Demo:
    title: str
    days_ago: int
    body: str
    competencies: dict[str, str]
    questions: list[str] = field(default_factory=list)
    visibility: str = PRIVATE
    status: str = Entry.Status.FINAL
    # Ties: "cohort", a session number ("session:2"), "goal", "prompt".
    ties: list[str] = field(default_factory=list)
    evidence: list[Cite] = field(default_factory=list)


# --- Mei's journal ------------------------------------------------------------------------

ENTRIES: list[Demo] = [
    Demo(
        title=MARKER_TITLE,
        days_ago=150,
        competencies={
            "PAR-1": "Names how my own path into this work shapes what I notice, and what I "
            "miss, when I sit down with a partner.",
            "FUN-1": "Works out my own definition of community engagement, in my words.",
        },
        questions=["knowledge-ethics", "critical-reflection"],
        body=(
            "I grew up translating for my parents at the clinic, the bank and the school "
            "office. I learned early that the person holding the forms decides what counts "
            "as a good answer. I think that is why, ten years into service-learning, the "
            "question I cannot put down is **who benefits**, and who gets to say so.\n\n"
            "At Harbor I am the person holding the forms now. Placement agreements, "
            "hours logs, end-of-term surveys: I wrote most of them. When a partner signs, "
            "they sign my idea of what a partnership is.\n\n"
            "A working definition, for now: community engagement is work that a campus and "
            "a community decide on *together*, where both sides can name what they gain "
            "and either side can say no. By that definition I am not sure all of our "
            "partnerships qualify. That is where this journal starts."
        ),
        evidence=[
            Cite(
                kind=Kind.URL,
                url="https://harborcc.example.edu/service-learning/about",
                label="Harbor Community College: our service-learning page",
                annotation="Our public description of service-learning, which I wrote in "
                "2019. It talks about what students gain and never about partners.",
                competency="FUN-1",
            )
        ],
    ),
    Demo(
        title="Forty students a term, and a director who never says no",
        days_ago=128,
        competencies={
            "PAR-2": "Traces the history of our partnership with the family literacy centre "
            "and what the neighbourhood has seen of the college before us.",
            "PAR-3": "Looks at how the partnership is maintained, and by whom.",
        },
        questions=["experience"],
        body=(
            "The family literacy centre on Eastport Avenue has hosted our students for six "
            "years. Forty a term, sometimes more. Its director, Rosa, has never once said "
            "no to a placement request.\n\n"
            "I used to take that as a sign of a strong partnership. This week I wrote out "
            "the timeline (attached) and saw something else: every change in those six "
            "years was ours. We moved the start date to fit our semester. We added a "
            "reflection paper. We cut the orientation from two hours to forty-five "
            "minutes. Rosa adjusted each time.\n\n"
            "The college has been in Eastport for longer than I have. Older neighbours "
            "still talk about the clinic the nursing school ran for three years and then "
            "closed with a month's notice. I do not know how much of that history Rosa "
            "carries into our meetings, and I have never asked."
        ),
        evidence=[
            Cite(
                kind=Kind.FILE,
                label="Literacy centre partnership timeline, 2020 to now",
                annotation="Six years of changes to the partnership, with who proposed each "
                "one. Every line but one starts with 'Harbor asked'.",
                competency="PAR-2",
                upload=(
                    "literacy-centre-partnership-timeline.txt",
                    "Eastport Family Literacy Centre and Harbor CC: a timeline",
                    [
                        "2020: first placements, 12 students, two-hour orientation at the "
                        "centre. Proposed by Harbor.",
                        "2021: placements grow to 25 a term. Proposed by Harbor.",
                        "2022: start date moved to week 2 of our semester. Proposed by Harbor.",
                        "2023: orientation cut to 45 minutes, held on campus. Proposed by Harbor.",
                        "2024: 40 students a term; reflection paper added. Proposed by Harbor.",
                        "2024: evening tutoring for parents. Proposed by the centre.",
                        "2025: end-of-term survey sent to the centre. Proposed by Harbor.",
                    ],
                ),
            )
        ],
    ),
    Demo(
        title="What the end-of-term survey did not tell us",
        days_ago=104,
        competencies={
            "PAR-3": "Questions whether our way of checking in keeps the partnership healthy.",
            "PAR-5": "Notices who designs the questions, and whose experience they can hold.",
        },
        questions=["critical-reflection", "experience"],
        body=(
            "Our partner survey came back from the literacy centre: 4.6 out of 5 on "
            "'overall satisfaction', no comments. Last year the same. I reported it to the "
            "dean as evidence of a strong partnership.\n\n"
            "Then, at the spring celebration, one of the centre's tutors told me, kindly, "
            "that our students arrive not knowing the families' languages, and that the "
            "staff spend the first three weeks of every term re-training them. None of "
            "that could have appeared in our survey. We never asked about it.\n\n"
            "What I am sitting with:\n\n"
            "- A survey measures what the people who wrote it thought to ask.\n"
            "- A partner who depends on our students may not feel free to score us low.\n"
            "- The most useful thing I learned this year came from a conversation I did "
            "not plan."
        ),
        evidence=[
            Cite(
                kind=Kind.URL,
                url="https://harborcc.example.edu/service-learning/reports/spring-partner-survey",
                label="Spring partner survey: summary report",
                annotation="The survey summary I sent the dean. Read it next to this entry: "
                "the numbers are high and say almost nothing.",
                competency="PAR-3",
            )
        ],
    ),
    Demo(
        title="Students as guests, not helpers",
        days_ago=82,
        competencies={
            "PAR-5": "Rewrites student preparation so students enter as guests in the "
            "partner's space, and the partner's staff lead.",
            "FUN-2": "Puts principles of ethical engagement (humility, respect for local "
            "knowledge) into the orientation itself.",
        },
        questions=["experience", "growth"],
        body=(
            "I rewrote the student orientation this week, with Rosa's staff reading every "
            "draft. The old version opened with 'You will be helping families learn to "
            "read.' The new one opens with 'You are a guest at the centre. The families and "
            "the staff are the experts here.'\n\n"
            "Two changes came from the centre's tutors, not from me: students now spend "
            "their first visit *observing* a session, and they learn ten phrases in Spanish "
            "and Vietnamese before they arrive. The tutors will run the orientation "
            "themselves, at the centre, and the college will pay them for it.\n\n"
            "It is a small document. It is also the first thing in six years that the "
            "centre shaped from the start."
        ),
        evidence=[
            Cite(
                kind=Kind.FILE,
                label="Student orientation guide (co-written with the centre's tutors)",
                annotation="The new guide. The first page and the 'ten phrases' section are "
                "the tutors' words; I only edited for length.",
                competency="PAR-5",
                upload=(
                    "student-orientation-guide.pdf",
                    "Before your first visit: a guide for Harbor students at the centre",
                    [
                        "You are a guest at the Eastport Family Literacy Centre. The families "
                        "and the staff are the experts here; you are here to learn with them.",
                        "Your first visit is for watching. Sit with a tutor, notice how "
                        "sessions begin and end, and ask questions afterwards, not during.",
                        "Ten phrases in Spanish and Vietnamese: hello, thank you, my name "
                        "is, may I sit here, see you next week, and five more the tutors "
                        "chose.",
                        "The orientation is run by the centre's tutors, who are paid for "
                        "their time by the college.",
                    ],
                ),
            )
        ],
    ),
    Demo(
        title="The partnership I'm bringing to the cohort",
        days_ago=33,
        ties=["cohort"],
        visibility=FACILITATORS,
        competencies={
            "PAR-3": "Describes the partnership I want to strengthen, and the questions I "
            "bring about it.",
        },
        questions=["experience", "growth"],
        body=(
            "Fatima asked us to bring one partnership and one question. Mine: the "
            "literacy centre, and *does this partnership serve them as well as it serves "
            "us?*\n\n"
            "What I hope to leave with: a partnership agreement that Rosa helps write, a way "
            "of checking in that she would design, and the habit of asking before I "
            "assume. I introduced myself in the forum and said the same thing more "
            "briefly."
        ),
        evidence=[
            Cite(
                kind=Kind.POST,
                target="post:introduction",
                annotation="My introduction to the cohort: where I named the question I want "
                "to work on.",
                competency="PAR-3",
            )
        ],
    ),
    Demo(
        title="After the opening circle: stories stay in the room",
        days_ago=30,
        ties=["session:1"],
        competencies={
            "PAR-5": "Notices how a group's agreements (who speaks, what stays private) "
            "shift power, and what I could borrow for partner meetings.",
            "FUN-2": "Reflects on confidentiality and consent as principles of engagement.",
        },
        questions=["critical-reflection"],
        body=(
            "We went round the circle and each named one partnership and one question. "
            "Then we agreed: cameras optional, stories stay in the room.\n\n"
            "I noticed how much more honest people were after that second agreement. "
            "Amara said out loud that her coalition has no written agreement with any of "
            "its seven partners. I would not have said my version of that in a room "
            "without the promise.\n\n"
            "Our partner meetings have no such agreement. Rosa speaks in front of her own "
            "staff and our faculty, and I have never asked what she would rather say "
            "privately. Next meeting, I will ask her how she wants us to meet."
        ),
        evidence=[
            Cite(
                kind=Kind.SESSION,
                target="session:1",
                annotation="The opening circle, where the cohort made its agreements.",
                competency="PAR-5",
            )
        ],
    ),
    Demo(
        title="What Rosa told me she gains",
        days_ago=24,
        ties=["prompt"],
        visibility=FACILITATORS,
        competencies={
            "PAR-2": "Learns from the partner what she values and why, in her own words.",
            "PAR-3": "Asks the partner directly, and changes the partnership's terms in response.",
            "PAR-5": "Sees the gap between what we offer and what the partner values, and "
            "that the partner had no easy way to tell us.",
        },
        questions=["experience", "critical-reflection"],
        body=(
            "I had asked Rosa something like this last month, in passing, and told the "
            "reciprocity thread what she said. This time I sat down with her at the centre "
            "and asked the prompt's question as plainly as I could: *what does the centre "
            "gain from working with us?*\n\n"
            "She was quiet for a while. Then: the students help, yes, but supervising them "
            "takes two staff hours a week. What she values most is the **library card** "
            "our partnership gives her staff, and **Dr. Patel**, who spent a semester "
            "helping the centre write its evaluation plan for a state grant. The grant came "
            "through. None of that is in our agreement, and I did not know the evaluation "
            "help had happened.\n\n"
            "So what: the thing we count (student hours) is the thing she values least. The "
            "things she values are not written down anywhere, so they could vanish with "
            "one faculty member's sabbatical.\n\n"
            "Now what: I have asked Rosa to co-write our next agreement, starting from her "
            "list, not ours. I used the cohort's What? So what? Now what? protocol to "
            "write this up."
        ),
        evidence=[
            Cite(
                kind=Kind.POST,
                target="post:reciprocity",
                annotation="My post in the reciprocity thread after our first, hurried "
                "conversation (shared with Rosa's permission).",
                competency="PAR-2",
            ),
            Cite(
                kind=Kind.RESOURCE,
                target="resource:reflection",
                annotation="The protocol I used to structure this entry and my notes from "
                "the conversation.",
                competency="PAR-3",
            ),
        ],
    ),
    Demo(
        title="Choosing our goal: agreements written with partners",
        days_ago=16,
        ties=["session:2", "goal"],
        visibility=COHORT,
        competencies={
            "PAR-3": "Proposes a shared goal that changes how partnerships are begun and renewed.",
            "PAR-5": "Asks that partners write half of each agreement, so the terms are not "
            "only ours.",
        },
        questions=["experience", "growth"],
        body=(
            "Thank you all for choosing the goal I proposed: that each of us co-writes a "
            "partnership agreement *with* a partner this term, and brings it back.\n\n"
            "What convinced me it mattered was Rosa's answer to Fatima's prompt. The things "
            "the centre values most were written nowhere. An agreement is where a "
            "partnership says what each side gives and gains; if only one side writes it, "
            "only one side's gains get named.\n\n"
            "I am sharing this with the whole cohort because Luis and Amara asked how I "
            "plan to start. My plan: meet Rosa at the centre, bring a blank template, and "
            "let her fill in the first section."
        ),
        evidence=[
            Cite(
                kind=Kind.GOAL,
                target="goal",
                annotation="The goal the cohort adopted in session 2.",
                competency="PAR-3",
            ),
            Cite(
                kind=Kind.SESSION,
                target="session:2",
                annotation="The session where we chose our goals by consent.",
            ),
        ],
    ),
    Demo(
        title="Rewriting our MOU with the centre, section by section",
        days_ago=9,
        ties=["cohort"],
        visibility=FACILITATORS,
        status=Entry.Status.DRAFT,
        competencies={
            "PAR-3": "Renegotiates the partnership's agreement with the partner, in the "
            "partner's space.",
            "PAR-5": "Shares the pen: the partner drafts the sections on her gains and on "
            "how either side can leave.",
            "FUN-5": "Describes what makes this partnership stronger than it was.",
        },
        questions=["experience", "growth"],
        body=(
            "*Draft: I will finish this after our second meeting.*\n\n"
            "We met at the centre, not on campus, and Rosa chaired. We worked from Hannah's "
            "MOU template (the second version, with the data clause Jordan suggested).\n\n"
            "- **Section 3, what each side gives and gains**: Rosa wrote the centre's "
            "column herself. Library access and evaluation help are now in writing.\n"
            "- **Section 5, ending kindly**: she added that students already placed "
            "finish their term, for the families' sake.\n"
            "- **Section 6, stories and data**: we agreed that no family's story goes into "
            "a student paper or a college report without the centre's yes.\n\n"
            "Still open: who pays for the tutors' time at orientation after this year."
        ),
        evidence=[
            Cite(
                kind=Kind.RESOURCE,
                target="resource:mou",
                version=2,
                annotation="Version 2 of the template, the one we used: its data clause "
                "became our section 6.",
                competency="PAR-5",
            )
        ],
    ),
    Demo(
        title="Partners hate surveys, but they will talk",
        days_ago=4,
        competencies={
            "PAR-3": "Redesigns how we check in, so the partner's judgement shapes the "
            "partnership.",
            "PAR-5": "Chooses an assessment method the partner controls.",
            "FUN-5": "Names the benefits that make a partnership strong from the partner's side.",
        },
        questions=["critical-reflection", "growth"],
        body=(
            "I wrote in the partner voice thread that our partners hate surveys but will "
            "happily talk on the phone, if we ask how they want to be heard. Luis's rubric "
            "turns that into something I can use: five benefits, each scored by the "
            "*partner*, each with one story.\n\n"
            "I tried it with two of the centre's tutors. They scored 'capacity' a 1 and "
            "'knowledge' a 3, the opposite of what our survey implies. Their story for "
            "knowledge was the evaluation plan again. The gap between their scores and "
            "mine is, as the rubric says, the agenda.\n\n"
            "I am keeping this private for now: I want to ask Rosa before I share the "
            "tutors' scores with anyone."
        ),
        evidence=[
            Cite(
                kind=Kind.POST,
                target="post:partner-voice",
                annotation="Where I first said it out loud, answering Amara's question about "
                "who sets the agenda.",
                competency="PAR-5",
            ),
            Cite(
                kind=Kind.RESOURCE,
                target="resource:rubric",
                annotation="The rubric I used with the tutors.",
                competency="FUN-5",
            ),
        ],
    ),
    Demo(
        title="What the foundations course gave me words for",
        days_ago=2,
        competencies={
            "FUN-1": "Places my definition of engagement among the traditions the course covered.",
            "FUN-2": "Names the principles (reciprocity, humility, shared authority) I now "
            "hold our program to.",
        },
        questions=["knowledge-ethics", "growth"],
        body=(
            "I finished the Foundations of community engagement course this week. Most "
            "useful to me: the distinction between doing work *for*, *in* and *with* a "
            "community. Our literacy partnership started as work *in* Eastport. The new "
            "agreement is my first attempt at *with*.\n\n"
            "The principles I want to hold our program to, in my own words: partners "
            "name their gains before we name ours; either side can say no; what we learn "
            "together belongs to both of us.\n\n"
            "Next: bring these to our faculty fellows in January, and ask Rosa whether "
            "she would co-present them."
        ),
        evidence=[
            Cite(
                kind=Kind.TRAINING,
                target="training",
                annotation="Eighteen hours over six weeks; the module on ethics of "
                "engagement is where the principles above come from.",
                competency="FUN-2",
            )
        ],
    ),
    Demo(
        title="Power at the table: who holds the calendar",
        days_ago=1,
        ties=["cohort"],
        visibility=FACILITATORS,
        status=Entry.Status.DRAFT,
        competencies={
            "PAR-5": "Maps who decides what in the partnership: money, time, data and the agenda.",
            "FUN-6": "Looks at whose time is treated as free across lines of difference.",
        },
        questions=["critical-reflection"],
        body=(
            "Jordan's power-mapping worksheet asks who controls money, time, data and the "
            "agenda. For our partnership: money, us; data, us (until section 6); agenda, "
            "mostly us. Time is the one I had never thought about. Our semester decides "
            "when the centre gets students, and the centre's families work evening shifts, "
            "so the tutoring that matters most happens when our students are gone.\n\n"
            "Whose time is treated as free? The tutors', the families', Rosa's. Not ours: "
            "our hours are counted and credited.\n\n"
            "I want to bring this to session 5, where we consult the group."
        ),
        evidence=[
            Cite(
                kind=Kind.RESOURCE,
                target="resource:power",
                annotation="The worksheet, filled in for the literacy partnership (my copy "
                "is on paper).",
                competency="PAR-5",
            )
        ],
    ),
]

FACILITATOR_COMMENT = (
    "Mei, thank you for asking Rosa so directly, and for writing down her words rather "
    "than a summary. The gap you found (student hours counted, library access and "
    "evaluation help invisible) is one many of us have and few of us look at.\n\n"
    "A question to take into the agreement: how will Rosa know, a year from now, that the "
    "college is keeping its side? What would she check?"
)
MEMBER_REPLY = (
    "Thank you, Fatima. I asked her. She would check two things: that her staff still have "
    "library cards in September, and that someone from the college comes to the centre's "
    "spring planning meeting without being asked. Both are going into section 4."
)

# Jordan's answer to the first prompt, shared with the facilitators too (so the prompt's
# page shows two people answered).
JORDAN_ANSWER = Demo(
    title="What the education department gains from our research",
    days_ago=22,
    ties=["prompt"],
    visibility=FACILITATORS,
    competencies={
        "PAR-2": "Listens to how the nation's education department describes its own goals.",
        "PAR-5": "Sees data ownership as the question of power in this partnership.",
    },
    questions=["experience", "critical-reflection"],
    body=(
        "I asked the director of the nation's education department what they gain from "
        "our research. Her answer: 'Data we can use before you publish it.' Until now the "
        "department saw findings when the article came out. The checklist we are writing "
        "puts their review board first."
    ),
)

PROMPTS: list[dict[str, Any]] = [
    {
        "title": ANSWERED_PROMPT,
        "body": (
            "Before our next session, ask one community partner, as plainly as you can: "
            "*what do you gain from working with us?* Write down their words, not your "
            "summary.\n\n"
            "Then reflect: what did you expect them to say? What surprised you? What, if "
            "anything, will you change?"
        ),
        "competencies": ["PAR-3", "PAR-5"],
        "questions": ["experience", "critical-reflection"],
        "session": 2,
        "created_days_ago": 29,
        "due_days": -17,
        "closed_days_ago": 15,
    },
    {
        "title": OPEN_PROMPT,
        "body": (
            "Session 4 is about assessing our partnerships *with* our partners. Before we "
            "meet, imagine your partner writing the assessment. What would they count? "
            "What would they leave out that we always include?\n\n"
            "If you can, ask them. Bring one measure they would choose."
        ),
        "competencies": ["PAR-2", "PAR-4"],
        "questions": ["knowledge-ethics", "growth"],
        "session": 4,
        "created_days_ago": 3,
        "due_days": 11,
        "closed_days_ago": None,
    },
]

# Mei's two sittings of the partnerships self-assessment: (days ago, note, ratings).
ASSESSMENTS: list[tuple[int, str, dict[str, tuple[int, str]]]] = [
    (
        140,
        "Before the cohort. Honest answer: I know how to keep placements running, less "
        "about whether partners want them.",
        {
            "PAR-1": (1, "I have started to notice how my role shapes what partners say."),
            "PAR-2": (2, "I know the centre well; the neighbourhood's history, less."),
            "PAR-3": (2, "Placements run smoothly, but every change has been ours."),
            "PAR-4": (1, ""),
            "PAR-5": (0, "I have not looked at power in this partnership at all."),
        },
    ),
    (
        8,
        "After the MOU meeting with Rosa. Some real movement; asset-based work is still "
        "where I am weakest.",
        {
            "PAR-1": (2, "Writing about my own history helped me see it in meetings."),
            "PAR-2": (2, "Rosa's answer taught me more than six years of surveys."),
            "PAR-3": (3, "The agreement is being co-written, at the centre, with Rosa chairing."),
            "PAR-4": (1, "Still thinking in needs more than assets. Next goal."),
            "PAR-5": (
                2,
                "I see the levers now (money, time, data, agenda); moving them is slower.",
            ),
        },
    ),
]


def seed_demo(run: SeedRun) -> None:
    made = seed_journal()
    if made:
        run.write(
            f"Demo journals: {made} entries created (member@example.org's journal, with "
            "prompts, feedback and self-assessments)."
        )
    else:
        run.write("Demo journals: already there.")


def seed_journal() -> int:
    """Mei's journal, in one transaction; skipped when it is there already (or when the
    demo cohort it belongs to is missing)."""
    cohort = Cohort.objects.filter(slug=DEMO_SLUG).first()
    member = User.objects.filter(email=MEMBER).first()
    if cohort is None or member is None:
        return 0
    if Entry.objects.filter(author=member, title=MARKER_TITLE).exists():
        return 0
    with transaction.atomic():
        made = build_journal(cohort)
    _extract_files(member)
    return made


def build_journal(cohort: Cohort) -> int:
    member, jordan, fatima = person(MEMBER), person(MEMBER2), person(FACILITATOR)
    targets = _targets(cohort, member)
    prompts = [_prompt(cohort, fatima, spec, targets) for spec in PROMPTS]
    targets["prompt"] = prompts[0]
    made: dict[str, Entry] = {}
    for spec in ENTRIES:
        made[spec.title] = _entry(member, cohort, spec, targets)
    _entry(jordan, cohort, JORDAN_ANSWER, targets)
    answered = made["What Rosa told me she gains"]
    comment = comment_create(entry=answered, by=fatima, body=FACILITATOR_COMMENT)
    reply = comment_create(entry=answered, by=member, body=MEMBER_REPLY)
    _at(Comment, comment.pk, "created_at", _days_ago(22, 9))
    _at(Comment, reply.pk, "created_at", _days_ago(21, 18))
    closing = prompts[0]
    prompt_close(prompt=closing, by=fatima)
    _at(Prompt, closing.pk, "closed_at", _days_ago(PROMPTS[0]["closed_days_ago"], 8))
    for days, note, ratings in ASSESSMENTS:
        _assessment(member, days, note, ratings)
    return len(made)


def _days_ago(days: int, hour: int = 12) -> datetime:
    day = timezone.localdate() - timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _at(model: Any, pk: int, name: str, when: datetime) -> None:
    model.objects.filter(pk=pk).update(**{name: when})


def _targets(cohort: Cohort, member: User) -> dict[str, Any]:
    """What Mei's evidence cites, found among what the other seeders made (only what she
    may cite: her posts, sessions she attended, her completion)."""
    from resources.models import Resource
    from resources.seed import DEMO_RESOURCES
    from trainings.models import Completion

    sessions = list(Session.objects.filter(cohort=cohort).order_by("starts_at", "pk"))
    posts = Post.objects.filter(thread__cohort=cohort, author=member).order_by("pk")
    titles = {spec["key"]: spec["title"] for spec in DEMO_RESOURCES}
    resources = {
        r.title: r for r in Resource.objects.filter(cohort=cohort, title__in=titles.values())
    }
    targets: dict[str, Any] = {
        f"session:{n}": session for n, session in enumerate(sessions, start=1)
    }
    targets["goal"] = (
        LearningGoal.objects.filter(cohort=cohort, proposed_by=member).order_by("pk").first()
    )
    targets["training"] = Completion.objects.filter(user=member).order_by("pk").first()
    for key, starts in (
        ("post:introduction", "Hi all, I'm Mei"),
        ("post:reciprocity", "I asked our literacy centre director"),
        ("post:partner-voice", ""),
    ):
        found = (
            posts.filter(body__startswith=starts)
            if starts
            else posts.filter(thread__title__startswith="Community partner voice")
        )
        targets[key] = found.first()
    for key in ("reflection", "mou", "rubric", "power"):
        targets[f"resource:{key}"] = resources.get(titles[key])
    return targets


def _prompt(cohort: Cohort, by: User, spec: dict[str, Any], targets: dict[str, Any]) -> Prompt:
    prompt = prompt_create(
        cohort=cohort,
        by=by,
        data=PromptInput(
            title=spec["title"],
            body=spec["body"],
            competencies=spec["competencies"],
            framing_questions=spec["questions"],
            due_on=timezone.localdate() + timedelta(days=spec["due_days"]),
            session=targets.get(f"session:{spec['session']}"),
        ),
    )
    when = _days_ago(spec["created_days_ago"], 10)
    Prompt.objects.filter(pk=prompt.pk).update(created_at=when, updated_at=when)
    return prompt


def _entry(author: User, cohort: Cohort, spec: Demo, targets: dict[str, Any]) -> Entry:
    ties: dict[str, Any] = {}
    for tie in spec.ties:
        if tie == "cohort":
            ties["cohort"] = cohort
        elif tie.startswith("session:"):
            ties["session"] = targets.get(tie)
        else:
            ties[tie] = targets.get(tie)
    written_on = timezone.localdate() - timedelta(days=spec.days_ago)
    entry = entry_create(
        author=author,
        data=EntryInput(
            title=spec.title,
            body=spec.body,
            written_on=written_on,
            competencies=list(spec.competencies),
            notes=spec.competencies,
            framing_questions=spec.questions,
            status=spec.status,
            **ties,
        ),
        visibility=spec.visibility,
    )
    for cite in spec.evidence:
        upload = None
        if cite.upload is not None:
            upload = _upload(*cite.upload)
        target = targets.get(cite.target) if cite.target else None
        if cite.target and target is None:
            continue  # what it cites is not in this demo database: leave it out
        evidence_add(
            entry=entry,
            by=author,
            data=EvidenceInput(
                kind=cite.kind,
                target=getattr(target, "pk", None),
                version=cite.version,
                url=cite.url,
                label=cite.label,
                annotation=cite.annotation,
                competency=cite.competency or None,
            ),
            upload=upload,
        )
    # Written (and last saved) on its day, in the afternoon.
    when = _days_ago(spec.days_ago, 16)
    Entry.objects.filter(pk=entry.pk).update(created_at=when, updated_at=when)
    Evidence.objects.filter(entry=entry).update(created_at=when)
    return entry


def _upload(name: str, heading: str, paragraphs: list[str]) -> SimpleUploadedFile:
    from resources import samples

    if name.endswith(".pdf"):
        return SimpleUploadedFile(name, samples.pdf_document(heading, paragraphs))
    text = heading + "\n\n" + "\n".join(paragraphs) + "\n"
    return SimpleUploadedFile(name, text.encode())


def _assessment(
    member: User, days: int, note: str, ratings: dict[str, tuple[int, str]]
) -> SelfAssessment:
    area = Area.objects.get(framework__is_default=True, slug="partnerships")
    assessment = self_assessment_take(
        user=member,
        area=area,
        ratings=[RatingInput(code, level, text) for code, (level, text) in ratings.items()],
        note=note,
    )
    _at(SelfAssessment, assessment.pk, "taken_at", _days_ago(days, 20))
    return assessment


def _extract_files(member: User) -> None:
    """Read the uploaded evidence files' text now (the task the worker would run), so the
    demo does not depend on a worker having run."""
    from files.models import StoredFile
    from files.tasks import extract_text

    pending = StoredFile.objects.filter(
        pk__in=Evidence.objects.filter(entry__author=member, file__isnull=False).values("file_id"),
        extraction=StoredFile.Extraction.PENDING,
    ).values_list("pk", flat=True)
    for pk in list(pending):
        extract_text.call(str(pk))


# --- synthetic volume -----------------------------------------------------------------------

PER_BLOCK = 500
SYNTHETIC_PREFIX = "Synthetic entry "
WORDS = [
    *("reciprocity", "partner", "students", "listening", "agreement", "assessment"),
    *("neighbourhood", "trust", "power", "stories", "evaluation", "planning", "voice"),
]


@transaction.atomic
def seed_scale(run: SeedRun) -> None:
    """``PER_BLOCK`` synthetic entries a block, written by the members of the synthetic
    cohorts the cohorts seeder made in this run, a third of them shared (with the
    facilitators or the cohort), each mapped to a competency of the cohort's framework.
    Rows are made in bulk; each entry is then handed to the search index."""
    from journals.search_index import index_entry

    cohorts = list(run.synthetic.get("cohorts", []))
    if not cohorts:
        return
    authors: dict[int, list[int]] = {}
    for cohort_id, user_id in (
        Membership.objects.filter(
            cohort__in=cohorts,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.MEMBER,
        )
        .order_by("pk")
        .values_list("cohort_id", "user_id")
    ):
        authors.setdefault(cohort_id, []).append(user_id)
    pool = {
        c.pk: list(
            Competency.objects.filter(framework_id=c.framework_id)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        for c in cohorts
    }
    start = Entry.objects.filter(title__startswith=SYNTHETIC_PREFIX).count()
    count = PER_BLOCK * run.scale
    visibilities = itertools.cycle([PRIVATE, PRIVATE, FACILITATORS, PRIVATE, COHORT, PRIVATE])
    cycle = itertools.cycle([c for c in cohorts if authors.get(c.pk)])
    today = timezone.localdate()
    now = timezone.now()
    rows: list[Entry] = []
    for n in range(start, start + count):
        cohort = next(cycle, None)
        if cohort is None:
            break
        people = authors[cohort.pk]
        words = [WORDS[(n * k + k) % len(WORDS)] for k in (1, 3, 5, 7)]
        body = f"Today I thought about {words[0]} and {words[1]}: {words[2]}, then {words[3]}."
        visibility = next(visibilities)
        rows.append(
            Entry(
                author_id=people[n % len(people)],
                title=f"{SYNTHETIC_PREFIX}{n}: {words[0]} and {words[1]}",
                written_on=today - timedelta(days=n % 180),
                body=body,
                body_html=f"<p>{escape(body)}</p>\n",
                cohort=cohort if visibility != PRIVATE or n % 2 else None,
                visibility=visibility,
                status=Entry.Status.FINAL if n % 3 else Entry.Status.DRAFT,
                search_text=f"{SYNTHETIC_PREFIX}{n} {body}",
                updated_at=now,
            )
        )
    Entry.objects.bulk_create(rows, batch_size=1_000)
    if any(r.pk is None for r in rows):  # a database that does not return the ids
        ids = dict(
            Entry.objects.filter(title__in=[r.title for r in rows]).values_list("title", "pk")
        )
        for r in rows:
            r.pk = ids[r.title]
    mappings = []
    for i, entry in enumerate(rows):
        competencies = pool.get(entry.cohort_id or cohorts[0].pk) or []
        if competencies:
            mappings.append(
                EntryCompetency(
                    entry_id=entry.pk, competency_id=competencies[i % len(competencies)]
                )
            )
    EntryCompetency.objects.bulk_create(mappings, batch_size=2_000)
    for entry in rows:
        index_entry(entry)
    run.synthetic["journal entries"] = list(range(len(rows)))
