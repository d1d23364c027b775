from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from core.markdown import ALLOWED_TAGS, render_markdown

DANGEROUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="https://example.org"></iframe>',
    '<a href="#" onclick="x()">x</a>',
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
]

dangerous_fragment = st.sampled_from(DANGEROUS)
plain = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    """Parse the output as a browser would and check every element and attribute."""
    collector = _Collector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived: {html}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event attribute {name} survived: {html}"
            assert name != "style", html
            if name in {"href", "src"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in {"", "http", "https", "mailto"}, f"{name}={value!r}: {html}"


def test_markdown_renders_commonmark() -> None:
    html = render_markdown("# Title\n\n**bold** and [a link](https://example.org)\n\n- one\n- two")
    assert "<h3>Title</h3>" in html  # demoted below the page's own h1/h2
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">a link</a>' in html
    assert "<li>one</li>" in html


def test_markdown_escapes_raw_html_instead_of_rendering_it() -> None:
    html = render_markdown("<script>alert(1)</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_each_known_attack_renders_inert() -> None:
    for attack in DANGEROUS:
        assert_inert(render_markdown(attack))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(dangerous_fragment, plain), max_size=8))
def test_any_mix_of_text_and_attacks_renders_inert(parts: list[str]) -> None:
    assert_inert(render_markdown("\n".join(parts)))
