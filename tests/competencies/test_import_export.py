from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from competencies.models import Area, Competency, Framework, FramingQuestion
from competencies.services import FrameworkFormatError, framework_export, framework_import

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.COMPETENCY_FRAMEWORK_FILE)


def shipped() -> dict[str, Any]:
    return json.loads(SHIPPED.read_text())


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Area.objects.count(),
        Competency.objects.count(),
        FramingQuestion.objects.count(),
    )


def test_shipped_file_is_the_shared_cep_framework() -> None:
    shared = SHIPPED.parents[2] / ".." / "shared" / "data" / "cep-framework.json"
    if shared.exists():
        assert json.loads(shared.read_text()) == shipped()


def test_import_loads_the_cep_framework_by_default() -> None:
    out = run("import_framework")
    assert "62 created, 0 updated, 0 unchanged" in out
    assert counts() == (1, 6, 51, 4)
    fw = Framework.objects.get()
    assert fw.is_default and fw.levels[0] == "Not yet"
    assert list(fw.areas.values_list("slug", flat=True))[:2] == ["fundamentals", "partnerships"]
    kinds = set(Competency.objects.values_list("kind", flat=True))
    assert kinds == {"knowledge", "skill", "disposition", "commitment"}


def test_import_is_idempotent_and_reports_unchanged() -> None:
    run("import_framework")
    out = run("import_framework")
    assert "0 created, 0 updated, 62 unchanged" in out
    assert counts() == (1, 6, 51, 4)


def test_import_updates_changed_titles_and_moves(tmp_path: Path) -> None:
    run("import_framework")
    doc = shipped()
    doc["framework"]["areas"][0]["competencies"][0]["title"] = "A new wording"
    moved = doc["framework"]["areas"][0]["competencies"].pop()
    doc["framework"]["areas"][1]["competencies"].append(moved)
    path = tmp_path / "fw.json"
    path.write_text(json.dumps(doc))
    out = run("import_framework", str(path))
    assert "competencies: 0 created, 2 updated, 49 unchanged" in out
    assert Competency.objects.get(code="FUN-1").title == "A new wording"
    assert Competency.objects.get(code=moved["code"]).area.slug == "partnerships"


def test_export_round_trips_with_import(tmp_path: Path) -> None:
    run("import_framework")
    exported = json.loads(run("export_framework"))
    assert exported == shipped()
    path = tmp_path / "exported.json"
    call_command("export_framework", "cep", "-o", str(path), stderr=io.StringIO())
    assert "62 unchanged" in run("import_framework", str(path))


def test_a_second_framework_lives_beside_the_first(tmp_path: Path) -> None:
    run("import_framework")
    doc = {
        "framework": {
            "slug": "riverbend",
            "name": "Riverbend engagement competencies",
            "areas": [
                {
                    "slug": "partnerships",  # same slug as CEP's area: scoped per framework
                    "name": "Neighbourhood partnerships",
                    "competencies": [
                        {"code": "FUN-1", "kind": "skill", "title": "Listens first"},
                    ],
                }
            ],
        }
    }
    path = tmp_path / "riverbend.json"
    path.write_text(json.dumps(doc))
    run("import_framework", str(path))
    assert counts() == (2, 7, 52, 4)
    assert Framework.objects.get(slug="cep").is_default
    run("import_framework", str(path), "--default")
    assert Framework.objects.get(slug="riverbend").is_default
    assert Framework.objects.filter(is_default=True).count() == 1


BROKEN = [
    (lambda d: d.pop("framework"), "framework: is required"),
    (lambda d: d["framework"].pop("slug"), "framework.slug: is required"),
    (lambda d: d["framework"].update(slug="has spaces"), "framework.slug:"),
    (lambda d: d["framework"].update(areas=[]), "framework.areas: must not be empty"),
    (
        lambda d: d["framework"]["areas"][2]["competencies"][1].update(kind="vibe"),
        "framework.areas[2].competencies[1].kind: “vibe” is not one of",
    ),
    (
        lambda d: d["framework"]["areas"][1]["competencies"][0].update(code="FUN-1"),
        "framework.areas[1].competencies[0].code: “FUN-1” appears twice",
    ),
    (
        lambda d: d["framework"]["areas"][3].update(name=""),
        "framework.areas[3].name: must not be blank",
    ),
    (
        lambda d: d["framework"]["framing_questions"][0].update(prompt=7),
        "framework.framing_questions[0].prompt: must be a string",
    ),
    (lambda d: d["framework"].update(levels="low,high"), "framework.levels: must be a list"),
    (
        lambda d: d["framework"]["areas"][0]["competencies"][0].update(title="Two\nlines"),
        "framework.areas[0].competencies[0].title: must be a single line",
    ),
]


@pytest.mark.parametrize(("breaks", "message"), BROKEN)
def test_malformed_file_names_the_field_and_writes_nothing(
    tmp_path: Path, breaks: Any, message: str
) -> None:
    run("import_framework")
    before = framework_export(framework=Framework.objects.get(slug="cep"))
    doc = shipped()
    doc["framework"]["name"] = "Changed name that must not be saved"
    doc["framework"]["areas"][0]["competencies"][0]["title"] = "Nor this"
    breaks(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError) as err:
        run("import_framework", str(path))
    assert message in str(err.value)
    assert "nothing was imported" in str(err.value)
    assert framework_export(framework=Framework.objects.get(slug="cep")) == before


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"framework": {\n  "slug": "x",,\n}}')
    with pytest.raises(CommandError, match=r"not valid JSON \(line 2"):
        run("import_framework", str(path))
    assert counts() == (0, 0, 0, 0)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("import_framework", str(tmp_path / "nope.json"))


def test_failure_late_in_the_write_rolls_everything_back(monkeypatch: Any) -> None:
    """Validation passes but the database refuses something: nothing half-written stays."""
    from competencies import services

    real = services._upsert
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 30:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_upsert", flaky)
    with pytest.raises(RuntimeError):
        framework_import(document=shipped())
    assert counts() == (0, 0, 0, 0)


def test_parse_error_carries_the_path() -> None:
    doc = copy.deepcopy(shipped())
    doc["framework"]["areas"][0]["competencies"][0] = "not an object"
    with pytest.raises(FrameworkFormatError) as err:
        framework_import(document=doc)
    assert err.value.path == "framework.areas[0].competencies[0]"
