"""Forms of the journal's entry pages. They shape what was typed (lengths, known choices)
and build the services' inputs; the services decide the rest, and their refusals are shown
at the field they name (see :func:`field_for_error`), with everything typed kept.

One form serves the plain page and the editor's autosave (which sends the same fields as
JSON): the autosave leaves out who may read the entry, which only the author's explicit
choice changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import dateformat, timezone

from cohorts.models import Cohort, LearningGoal, Session
from competencies.models import Area, Competency, FramingQuestion
from core.errors import ServiceError
from journals import permissions
from journals.models import (
    ANNOTATION_MAX,
    BODY_MAX,
    COMPETENCIES_PER_ENTRY,
    MAPPING_NOTE_MAX,
    TITLE_MAX,
    Entry,
    Evidence,
    Prompt,
)
from journals.services import EntryInput, EvidenceInput

Visibility = Entry.Visibility
Status = Entry.Status

VISIBILITY_HELP = {
    Visibility.PRIVATE: "Only you. Nobody else sees it or counts it: not facilitators, not staff.",
    Visibility.FACILITATORS: "You and the facilitators of the cohort it is tied to; they can "
    "give you feedback.",
    Visibility.COHORT: "Everyone in the cohort it is tied to: members and facilitators.",
}
STATUS_HELP = {
    Status.DRAFT: "Still working on it.",
    Status.FINAL: "Done: ready to go in an application.",
}
# Who may read an entry, narrowest first: a choice further along widens it.
VISIBILITY_ORDER = [Visibility.PRIVATE, Visibility.FACILITATORS, Visibility.COHORT]


def widens(old: str, new: str) -> bool:
    """Whether going from ``old`` to ``new`` lets more people read the entry."""
    try:
        return VISIBILITY_ORDER.index(Visibility(new)) > VISIBILITY_ORDER.index(Visibility(old))
    except ValueError:
        return False


# --- evidence handed in through the address (?evidence=KIND:ID[:VERSION]) --------------------

CITABLE_KINDS = (
    Evidence.Kind.RESOURCE,
    Evidence.Kind.POST,
    Evidence.Kind.SESSION,
    Evidence.Kind.GOAL,
    Evidence.Kind.TRAINING,
)
NOT_CITABLE = "You cannot cite that: it does not exist or you may not see it."


@dataclass(frozen=True)
class EvidenceRef:
    """What ``?evidence=KIND:ID[:VERSION]`` names: a resource (or one file version of it),
    a post, a session, a learning goal or a completed training."""

    kind: str
    target: int
    version: int | None = None

    @classmethod
    def parse(cls, raw: Any) -> EvidenceRef | None:
        if not isinstance(raw, str) or len(raw) > 64:
            return None
        parts = raw.strip().split(":")
        if len(parts) not in (2, 3) or parts[0] not in CITABLE_KINDS:
            return None
        numbers = parts[1:]
        if not all(p.isdigit() and 0 < int(p) < 2**31 for p in numbers):
            return None
        if len(numbers) == 2 and parts[0] != Evidence.Kind.RESOURCE:
            return None
        return cls(parts[0], int(numbers[0]), int(numbers[1]) if len(numbers) == 2 else None)

    def __str__(self) -> str:
        tail = f":{self.version}" if self.version is not None else ""
        return f"{self.kind}:{self.target}{tail}"

    def as_input(self, annotation: str) -> EvidenceInput:
        return EvidenceInput(
            kind=self.kind, target=self.target, version=self.version, annotation=annotation
        )


@dataclass(frozen=True)
class EvidenceSummary:
    """A short description of what will be attached, for the person to check."""

    kind_label: str
    title: str
    detail: str = ""
    url: str = ""


def describe_evidence(user: Any, ref: EvidenceRef) -> EvidenceSummary | None:
    """What ``ref`` points at, as ``user`` may see it; None if it does not exist or they
    may not see it (each kind asks its own app's permission rule). Whether it may be cited
    is the evidence service's to say, when the entry is saved."""
    label = Evidence.Kind(ref.kind).label
    if ref.kind == Evidence.Kind.RESOURCE:
        from resources.selectors import resource_citation

        cited = resource_citation(user, ref.target, version=ref.version)
        if cited is None or not cited.available:
            return None
        detail = f"Shared by {cited.contributor}"
        if ref.version is not None:
            detail = f"Version {ref.version} · {detail}"
        return EvidenceSummary(
            label, cited.title, detail, cited.version_url if ref.version else cited.url
        )
    if ref.kind == Evidence.Kind.POST:
        from django.http import Http404

        from discussions.permissions import access_post

        try:
            post = access_post(user, post_id=ref.target)
        except Http404:
            return None
        thread = post.thread
        return EvidenceSummary(
            label,
            f"Your post in “{thread.title}”" if post.author_id == user.pk else thread.title,
            thread.cohort.title,
            f"{thread.get_absolute_url()}#post-{post.pk}",
        )
    member = permissions.member_cohort_ids(user)
    if ref.kind == Evidence.Kind.SESSION:
        session = Session.objects.select_related("cohort").filter(pk=ref.target).first()
        if session is None or session.cohort_id not in member:
            return None
        when = dateformat.format(timezone.localtime(session.starts_at), "j M Y")
        return EvidenceSummary(
            label, session.title, f"{session.cohort.title} · {when}", session.get_absolute_url()
        )
    if ref.kind == Evidence.Kind.GOAL:
        goal = LearningGoal.objects.select_related("cohort").filter(pk=ref.target).first()
        if goal is None or goal.cohort_id not in member:
            return None
        return EvidenceSummary(
            label, goal.title, goal.cohort.title, f"{goal.cohort.get_absolute_url()}#goals"
        )
    from trainings.models import Completion

    completion = (
        Completion.objects.select_related("training").filter(pk=ref.target, user=user).first()
    )
    if completion is None:
        return None
    return EvidenceSummary(
        label,
        completion.training.title,
        f"Completed {dateformat.format(completion.completed_on, 'j M Y')}",
        completion.training.get_absolute_url(),
    )


# --- the entry form ---------------------------------------------------------------------------


class _Choices(forms.TypedChoiceField):
    """An optional choice of one of the person's cohorts (or a session, goal or prompt of
    one), by id."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)


def note_name(competency_id: int) -> str:
    return f"note_{competency_id}"


class EntryForm(forms.Form):
    """An entry, new or edited. ``entry`` is the one edited (None for a new one);
    ``autosave`` leaves out who may read it (the editor's saves never change that)."""

    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={"required": "Give the entry a title."},
    )
    written_on = forms.DateField(
        label="Date",
        required=False,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day you are reflecting on.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )
    body = forms.CharField(
        label="Your reflection",
        required=False,
        strip=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        help_text="Markdown works: **bold**, _italic_, lists, links.",
    )
    competencies = forms.MultipleChoiceField(
        label="Competencies it shows",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Up to {COMPETENCIES_PER_ENTRY}. For each, say in a line how this entry "
        "shows it.",
    )
    cohort = _Choices(
        label="Cohort",
        help_text="Tie it to one of your cohorts to answer its prompts or share it there.",
    )
    session = _Choices(label="Session", help_text="A meeting of the cohort it is about.")
    goal = _Choices(label="Learning goal", help_text="A goal of the cohort it speaks to.")
    prompt = _Choices(label="Prompt it answers")
    framing_questions = forms.MultipleChoiceField(
        label="Framing questions it speaks to",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    visibility = forms.ChoiceField(
        label="Who can read it",
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who can read it."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Status.choices,
        initial=Status.DRAFT,
        widget=forms.RadioSelect,
        required=False,  # left out: as it was (a new entry is a draft)
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": "The form lost track of the version you were editing: reload the page "
            "(your text is kept in the form until you do).",
            "invalid": "The form lost track of the version you were editing: reload the page.",
        },
    )
    # Evidence named in the address of a new entry, attached when it is first saved.
    evidence = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    attach_evidence = forms.BooleanField(
        label="Attach it to this entry", required=False, initial=True
    )
    annotation = forms.CharField(
        label="What it shows",
        required=False,
        max_length=ANNOTATION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In a sentence or two: what this piece of evidence shows about your practice.",
    )
    # The evidence attached by the editor's first autosave: its annotation is still on the
    # form and saves with the entry.
    evidence_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )
    # The editor's key for a new draft, so a retried first save never makes two.
    draft_key = forms.RegexField(
        regex=r"^[0-9a-fA-F-]{8,64}$", widget=forms.HiddenInput, required=False
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        entry: Entry | None = None,
        autosave: bool = False,
        prompt_fixed: Prompt | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.entry = entry
        self.autosave = autosave
        self.prompt_fixed = prompt_fixed
        self._load_choices()
        if autosave:
            del self.fields["visibility"]
        if entry is None:
            del self.fields["version"]
            del self.fields["evidence_id"]
        else:
            for name in ("evidence", "attach_evidence", "draft_key"):
                del self.fields[name]
        if not autosave:
            self.fields.pop("draft_key", None)

    # --- choices -----------------------------------------------------------------------

    def _field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def _load_choices(self) -> None:
        entry = self.entry
        member = permissions.member_cohort_ids(self.user)
        cohort_ids = set(member)
        if entry is not None and entry.cohort_id:
            cohort_ids.add(entry.cohort_id)  # shown, though saving asks for one of theirs
        self.cohorts = {c.pk: c for c in Cohort.objects.filter(pk__in=cohort_ids).order_by("title")}
        self._field("cohort").choices = [("", "No cohort: just my journal")] + [
            (c.pk, c.title) for c in self.cohorts.values()
        ]
        self.sessions = {
            s.pk: s
            for s in Session.objects.filter(
                cohort_id__in=self.cohorts.keys(), cancelled_at__isnull=True
            )
            .select_related("cohort")
            .order_by("cohort__title", "starts_at", "pk")
        }
        if entry is not None and entry.session_id and entry.session_id not in self.sessions:
            extra = Session.objects.select_related("cohort").filter(pk=entry.session_id).first()
            if extra is not None:
                self.sessions[extra.pk] = extra
        self._field("session").choices = [
            ("", "No session"),
            *self._grouped(
                self.sessions.values(),
                lambda s: (
                    f"{s.title} ({dateformat.format(timezone.localtime(s.starts_at), 'j M Y')})"
                ),
            ),
        ]
        self.goals = {
            g.pk: g
            for g in LearningGoal.objects.filter(cohort_id__in=self.cohorts.keys())
            .select_related("cohort")
            .order_by("cohort__title", "created_at", "pk")
        }
        self._field("goal").choices = [
            ("", "No learning goal"),
            *self._grouped(self.goals.values(), lambda g: g.title),
        ]
        prompt_q = Prompt.objects.filter(cohort_id__in=member, closed_at__isnull=True)
        keep = {p for p in (entry.prompt_id if entry else None, self._fixed_prompt_id()) if p}
        if keep:
            prompt_q = prompt_q | Prompt.objects.filter(pk__in=keep)
        self.prompts = {
            p.pk: p
            for p in prompt_q.select_related("cohort").order_by("cohort__title", "-created_at")
        }
        self._field("prompt").choices = [
            ("", "No prompt"),
            *self._grouped(self.prompts.values(), lambda p: p.title),
        ]
        competencies = list(
            Competency.objects.filter(framework__is_default=True)
            .select_related("area")
            .order_by("area__order", "order", "pk")
        )
        self.competency_list = competencies
        self._field("competencies").choices = [
            (str(c.pk), f"{c.code} {c.title}") for c in competencies
        ]
        for competency in competencies:
            self.fields[note_name(competency.pk)] = forms.CharField(
                label=f"How this entry shows {competency.code}",
                required=False,
                max_length=MAPPING_NOTE_MAX,
            )
        self.questions = list(
            FramingQuestion.objects.filter(framework__is_default=True).order_by("order", "pk")
        )
        self._field("framing_questions").choices = [(str(q.pk), q.title) for q in self.questions]

    def _fixed_prompt_id(self) -> int | None:
        return self.prompt_fixed.pk if self.prompt_fixed is not None else None

    @staticmethod
    def _grouped(items: Any, label: Any) -> list[Any]:
        groups: dict[str, list[tuple[int, str]]] = {}
        for item in items:
            groups.setdefault(item.cohort.title, []).append((item.pk, label(item)))
        return [(title, options) for title, options in groups.items()]

    # --- what the template lays out ----------------------------------------------------

    def competency_groups(self) -> list[tuple[Area, bool, list[tuple[Any, Any, Competency]]]]:
        """Per credential area: whether any of its competencies is chosen, and each
        competency's checkbox with its note field."""
        chosen = {str(v) for v in (self["competencies"].value() or [])}
        options = {str(o.data["value"]): o for o in self["competencies"]}
        groups: dict[int, tuple[Area, bool, list[tuple[Any, Any, Competency]]]] = {}
        for competency in self.competency_list:
            key = str(competency.pk)
            area, any_chosen, rows = groups.setdefault(
                competency.area_id, (competency.area, False, [])
            )
            rows.append((options[key], self[note_name(competency.pk)], competency))
            groups[competency.area_id] = (area, any_chosen or key in chosen, rows)
        return list(groups.values())

    def question_options(self) -> list[tuple[Any, FramingQuestion]]:
        by_id = {str(q.pk): q for q in self.questions}
        return [(o, by_id[str(o.data["value"])]) for o in self["framing_questions"]]

    def visibility_options(self) -> list[tuple[Any, str]]:
        if "visibility" not in self.fields:
            return []
        return [(o, VISIBILITY_HELP.get(o.data["value"], "")) for o in self["visibility"]]

    def status_options(self) -> list[tuple[Any, str]]:
        return [(o, STATUS_HELP.get(o.data["value"], "")) for o in self["status"]]

    def evidence_mode(self) -> str:
        """Which evidence the form carries: "new" (named in the address, attached on the
        first save), "attached" (by the editor's first autosave; its annotation is still on
        the form) or "" (none)."""
        if "evidence" in self.fields and self["evidence"].value():
            return "new"
        if "evidence_id" in self.fields and self["evidence_id"].value():
            return "attached"
        return ""

    def evidence_ref(self) -> EvidenceRef | None:
        if "evidence" not in self.fields:
            return None
        return EvidenceRef.parse(self["evidence"].value())

    # --- checks and inputs -------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entry = self.entry
        if entry is None or not entry.is_shared:
            return data
        # A shared entry moved to another cohort would be read by people the author never
        # chose: that takes their explicit choice (make it private, then share again).
        ties = [
            self.sessions.get(data.get("session") or 0),
            self.goals.get(data.get("goal") or 0),
            self.prompts.get(data.get("prompt") or 0),
        ]
        cohort_id = data.get("cohort") or next((t.cohort_id for t in ties if t), None)
        keeps_sharing = self.autosave or data.get("visibility") not in (None, Visibility.PRIVATE)
        if cohort_id is not None and cohort_id != entry.cohort_id and keeps_sharing:
            self.add_error(
                "cohort",
                "This entry is shared in another cohort. To tie it to this one, first make "
                "it private (under “Who can read it”) and save; then share it again.",
            )
        return data

    def clean_competencies(self) -> list[int]:
        chosen = [int(v) for v in self.cleaned_data.get("competencies") or []]
        if len(chosen) > COMPETENCIES_PER_ENTRY:
            raise forms.ValidationError(
                f"Map an entry to at most {COMPETENCIES_PER_ENTRY} competencies."
            )
        return chosen

    def clean_evidence(self) -> str:
        raw = self.cleaned_data.get("evidence") or ""
        if raw and EvidenceRef.parse(raw) is None:
            raise forms.ValidationError("That is not something an entry can cite.")
        return raw

    def to_input(self) -> EntryInput:
        data = self.cleaned_data
        chosen = data.get("competencies") or []
        notes = {pk: (data.get(note_name(pk)) or "") for pk in chosen}
        return EntryInput(
            title=data.get("title") or "",
            body=data.get("body") or "",
            written_on=data.get("written_on"),
            cohort=self.cohorts.get(data["cohort"]) if data.get("cohort") else None,
            session=self.sessions.get(data["session"]) if data.get("session") else None,
            goal=self.goals.get(data["goal"]) if data.get("goal") else None,
            prompt=self.prompts.get(data["prompt"]) if data.get("prompt") else None,
            competencies=chosen,
            notes=notes,
            framing_questions=[int(v) for v in data.get("framing_questions") or []],
            status=data.get("status") or (self.entry.status if self.entry else Status.DRAFT),
        )

    def evidence_to_attach(self) -> EvidenceInput | None:
        """The evidence named in the address, if the person still wants it attached."""
        ref = self.evidence_ref() if self.is_bound else None
        if ref is None or not self.cleaned_data.get("attach_evidence"):
            return None
        return ref.as_input(self.cleaned_data.get("annotation") or "")

    @staticmethod
    def initial_for(entry: Entry) -> dict[str, Any]:
        mappings = list(entry.mappings.all())
        initial: dict[str, Any] = {
            "title": entry.title,
            "written_on": entry.written_on,
            "body": entry.body,
            "competencies": [str(m.competency_id) for m in mappings],
            "cohort": entry.cohort_id,
            "session": entry.session_id,
            "goal": entry.goal_id,
            "prompt": entry.prompt_id,
            "framing_questions": [str(q.pk) for q in entry.framing_questions.all()],
            "visibility": entry.visibility,
            "status": entry.status,
            "version": entry.version,
        }
        for mapping in mappings:
            initial[note_name(mapping.competency_id)] = mapping.note
        return initial


# Where a service's refusal belongs on the entry form.
_FIELD_FOR = {
    "note": "competencies",
    "target": "evidence",
    "version": "evidence",
    "kind": "evidence",
    "competency": "evidence",
    "url": "evidence",
}


def field_for_error(form: forms.Form, error: ServiceError) -> str | None:
    """The form field a refusal is about, or None (shown above the form)."""
    name = getattr(error, "field", None)
    if name is None:
        return None
    name = _FIELD_FOR.get(name, name)
    if name == "evidence" and "evidence" not in form.fields:
        name = "annotation" if "annotation" in form.fields else ""
    return name if name in form.fields else None


class VisibilityForm(forms.Form):
    """The author's choice of who reads an entry. Narrowing takes effect at once; widening
    needs the author to confirm it, so nobody shares by a slip."""

    visibility = forms.ChoiceField(
        label="Who can read this",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who can read it."},
    )
    confirm = forms.BooleanField(
        label="Yes, let them read it",
        required=False,
        help_text="Needed when you let more people read it than now.",
    )

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"visibility": entry.visibility})
        super().__init__(*args, **kwargs)
        self.entry = entry
        field = self.fields["visibility"]
        assert isinstance(field, forms.ChoiceField)
        if entry.cohort_id is None:
            field.choices = [
                (v, label) for v, label in Visibility.choices if v == Visibility.PRIVATE
            ]

    def options(self) -> list[tuple[Any, str]]:
        return [(o, VISIBILITY_HELP.get(o.data["value"], "")) for o in self["visibility"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("visibility")
        if chosen and widens(self.entry.visibility, chosen) and not data.get("confirm"):
            self.add_error(
                "confirm",
                "You are letting more people read this entry: tick the box to confirm.",
            )
        return data

    @property
    def widening(self) -> bool:
        chosen = self.data.get("visibility") if self.is_bound else None
        return bool(chosen) and widens(self.entry.visibility, str(chosen))
