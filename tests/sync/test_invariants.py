"""Property-based proof of the sync invariants (DESIGN §4): a hypothesis state machine drives
2–4 offline clients against the real server on real Postgres, with injected faults.

The default run is bounded for CI; ``-m slow`` explores many more programs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.sync.machine import SyncMachine

BOUNDED = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def test_sync_invariants_hold_under_offline_edits_and_faults(servers):
    run_state_machine_as_test(lambda: SyncMachine(servers), settings=BOUNDED)


@pytest.mark.slow
def test_sync_invariants_hold_over_many_long_programs(servers):
    run_state_machine_as_test(
        lambda: SyncMachine(servers), settings=settings(BOUNDED, max_examples=400, stateful_step_count=60)
    )
