"""What trainings adds to other apps' pages through core.registry.PageSection, and the
navigation's link to the catalog."""

from __future__ import annotations

import pytest
from django.template import Template
from django.urls import reverse

from core import registry

pytestmark = pytest.mark.django_db


def test_cop_directory_explains_the_difference_and_links_to_the_catalog(anon, framework):
    text = anon.get(reverse("cohorts:directory")).content.decode()
    assert "A community of practice is not a course" in text
    assert reverse("trainings:catalog") in text


def test_area_page_lists_trainings_and_open_cohorts_for_each_competency(
    anon, framework, make_training, active_cohort
):
    make_training("approved", title="Partners course", codes=("PAR-1",))
    make_training("submitted", title="Not approved yet", codes=("PAR-1",))
    response = anon.get(reverse("competencies:area", args=["cep", "partnerships"]))
    text = response.content.decode()
    row = text[text.index('id="offer-PAR-1"') : text.index('id="offer-PAR-2"')]
    assert "Partners course" in row and active_cohort.title in row
    assert "Not approved yet" not in text
    later = text[text.index('id="offer-PAR-2"') :]
    assert "Partners course" not in later.split("</tr>")[0]


@pytest.mark.parametrize("n", [1, 30])
def test_area_page_query_count_is_constant(
    anon, framework, make_training, django_assert_max_num_queries, n
):
    from .test_pages import services_bulk_copy

    services_bulk_copy(make_training("approved"), n - 1)
    with django_assert_max_num_queries(12):
        anon.get(reverse("competencies:area", args=["cep", "partnerships"]))


def test_a_registered_page_section_renders_at_its_spot_only(anon, framework):
    section = registry.PageSection(
        "test.section", "cohorts.directory", Template("<p>Hello from a test section</p>")
    )
    registry.register_page_section(section)
    try:
        assert (
            "Hello from a test section" in anon.get(reverse("cohorts:directory")).content.decode()
        )
        area = anon.get(reverse("competencies:area", args=["cep", "partnerships"]))
        assert "Hello from a test section" not in area.content.decode()
    finally:
        registry.unregister_page_section("test.section")
    assert (
        "Hello from a test section" not in anon.get(reverse("cohorts:directory")).content.decode()
    )


def test_navigation_links_to_the_catalog_and_marks_it_current(anon, framework):
    text = anon.get(reverse("trainings:catalog")).content.decode()
    assert f'<a href="{reverse("trainings:catalog")}" aria-current="page">Trainings</a>' in text
