"""`manage.py serve` settles the garbage collector before it serves (see
core.management.commands.serve.settle_garbage_collector; the pauses it removes are
measured in bench/live.py)."""

from __future__ import annotations

import gc
import sys

from core.management.commands import serve


def test_start_up_objects_are_frozen_and_the_young_generation_is_larger() -> None:
    before = gc.get_threshold()
    try:
        serve.settle_garbage_collector()
        # What start-up made (the URLconf's views among it) is no longer walked ...
        assert gc.get_freeze_count() > 10_000
        assert not any(obj is sys.modules["discussions.views"] for obj in gc.get_objects())
        # ... and the collector runs at the serving thresholds.
        assert gc.get_threshold() == serve.GC_THRESHOLDS
        assert serve.GC_THRESHOLDS[0] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert gc.get_freeze_count() == 0
