"""Apps add their top-level pages to the header through core.registry.register_nav_item."""

import pytest

from core.registry import NavItem, register_nav_item, unregister_nav_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def nav_item():
    item = NavItem("test.search", "Find things", "search", current=("",), signed_in=True)
    register_nav_item(item)
    yield item
    unregister_nav_item(item.name)


def test_registered_item_shows_in_header_for_signed_in_people(nav_item, signed_in, member):
    page = signed_in(member).get("/cohorts/").content.decode()
    assert ">Find things</a>" in page


def test_signed_in_only_item_is_hidden_from_visitors(nav_item, client):
    page = client.get("/cohorts/").content.decode()
    assert "Find things" not in page


def test_a_second_different_item_under_the_same_name_is_refused(nav_item):
    with pytest.raises(ValueError):
        register_nav_item(NavItem("test.search", "Other", "search"))
