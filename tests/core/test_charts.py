"""The server-side SVG chart: well-formed, named and described for assistive tech, series
told apart by pattern (not colour alone), values written as text, no inline style (the CSP
forbids it), and every given text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from core.charts import MAX_SERIES, PATTERNS, Series, grouped_bar_chart, pattern_name

SVG = "{http://www.w3.org/2000/svg}"
SCALE = ["Not yet", "Emerging", "Developing", "Proficient", "Exemplary"]


def chart(**overrides: object) -> str:
    values: dict[str, object] = {
        "chart_id": "demo",
        "title": "Change between sittings",
        "description": "One bar per sitting.",
        "categories": ["PAR-1", "PAR-2"],
        "series": [
            Series(label="3 Mar 2025", values=[1, 2]),
            Series(label="9 Sep 2025", values=[3, None]),
        ],
        "scale": SCALE,
    }
    values.update(overrides)
    return str(grouped_bar_chart(**values))  # type: ignore[arg-type]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314  (our own output)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_chart_is_an_image_named_by_its_title_and_description() -> None:
    root = parse(chart())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "demo-title demo-desc"
    assert root.find(f"{SVG}title").text == "Change between sittings"
    assert root.find(f"{SVG}title").get("id") == "demo-title"
    assert root.find(f"{SVG}desc").text == "One bar per sitting."
    assert root.find(f"{SVG}desc").get("id") == "demo-desc"


def test_each_series_has_its_own_pattern_and_a_legend_entry() -> None:
    root = parse(chart())
    patterns = root.findall(f".//{SVG}pattern")
    assert [p.get("id") for p in patterns] == ["demo-pattern-0", "demo-pattern-1"]
    assert patterns[0].find(f"{SVG}rect") is not None
    # The two tiles differ in shape, not just in colour: stripes have a path.
    assert patterns[1].find(f"{SVG}path") is not None
    assert "3 Mar 2025" in texts(root) and "9 Sep 2025" in texts(root)
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert "url(#demo-pattern-0)" in fills and "url(#demo-pattern-1)" in fills


def test_bars_end_at_their_step_and_write_its_name() -> None:
    root = parse(chart())
    bars = [
        r
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None  # bars carry a tooltip; swatches do not
    ]
    assert len(bars) == 3  # one value is missing
    widths = {b.find(f"{SVG}title").text: float(b.get("width")) for b in bars}
    assert widths["PAR-1, 3 Mar 2025: Emerging"] * 2 == pytest.approx(
        widths["PAR-1, 9 Sep 2025: Proficient"]
    )
    written = texts(root)
    assert {"Emerging", "Developing", "Proficient"} <= set(written)
    assert "none" in written  # the missing value is said, not left blank
    # The scale's names are on the axis too.
    assert all(name in written for name in SCALE)


def test_no_style_attribute_or_element_for_the_csp() -> None:
    markup = chart()
    root = parse(markup)
    assert all(el.get("style") is None for el in root.iter())
    assert root.find(f".//{SVG}style") is None
    assert "<script" not in markup


def test_every_text_is_escaped() -> None:
    markup = chart(
        title="<script>alert(1)</script>",
        categories=["A&B", '"x"'],
        series=[Series(label="<b>now</b>", values=[0, 4])],
    )
    root = parse(markup)  # still well-formed
    assert "<script>" not in markup and "<b>" not in markup
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert "A&B" in texts(root) and "<b>now</b>" in texts(root)


def test_two_charts_on_a_page_keep_their_ids_apart() -> None:
    one, two = parse(chart(chart_id="one")), parse(chart(chart_id="two"))
    ids_one = {el.get("id") for el in one.iter() if el.get("id")}
    ids_two = {el.get("id") for el in two.iter() if el.get("id")}
    assert ids_one and not ids_one & ids_two


@pytest.mark.parametrize(
    "overrides",
    [
        {"chart_id": 'x" onload="alert(1)'},
        {"series": [Series(label=str(i), values=[0, 0]) for i in range(MAX_SERIES + 1)]},
        {"series": [Series(label="a", values=[0])]},
        {"series": [Series(label="a", values=[0, 5])]},
        {"scale": []},
    ],
)
def test_bad_input_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        chart(**overrides)


def test_an_empty_chart_is_still_well_formed() -> None:
    root = parse(chart(categories=[], series=[]))
    assert root.get("role") == "img"


def test_pattern_names_describe_each_series_in_words() -> None:
    assert pattern_name(0) == "solid"
    assert len({name for name, _ in PATTERNS}) == MAX_SERIES
