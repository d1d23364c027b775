"""Discussions fixtures, built with the real services: a cohort with a facilitator, two
active members, a removed member and an outsider, and a thread started by a member."""

from __future__ import annotations

from tests.discussions_fixtures import (  # noqa: F401  (shared fixtures, used by name)
    cohort,
    enrollment_period,
    facilitator,
    make_cohort,
    other_cohort_thread,
    other_thread,
    peer,
    removed,
    roles,
    seat,
    thread,
)
