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


async def test_every_hook_on_an_event_kind_runs_and_any_can_stop_the_relay() -> None:
    from core.realtime import get_event_hook, register_event_hook, unregister_event_hook

    heard: list[str] = []

    async def first(consumer: object, event: dict) -> bool:
        heard.append("first")
        return False

    async def second(consumer: object, event: dict) -> bool:
        heard.append("second")
        return True

    register_event_hook("test.kind", first)
    register_event_hook("test.kind", second)
    try:
        hook = get_event_hook("test.kind")
        assert hook is not None and await hook(None, {}) is False
        assert heard == ["first", "second"]
    finally:
        unregister_event_hook("test.kind", first)
        unregister_event_hook("test.kind", second)
    assert get_event_hook("test.kind") is None
