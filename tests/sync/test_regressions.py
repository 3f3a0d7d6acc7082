"""Bugs the sync state machine found, each as one focused story (minimised from its failing
program), so they stay fixed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.sync import checks
from tests.sync.world import Seat, Servers, World


@pytest.fixture
def world(servers: Servers) -> Iterator[World]:
    w = World(servers, lambda *_args: None)
    yield w
    w.close()


def _seed_catalogue(seat: Seat) -> tuple[str, tuple[str, str]]:
    seat.sc.mutate("erp.product.create", {"sku": "P-1", "name": "螺丝"})
    for code, kind in (("WH-A", "internal"), ("SUP", "supplier")):
        seat.sc.mutate("erp.location.create", {"code": code, "name": code, "kind": kind})
    assert seat.sc.sync().ok
    by_code = {r["code"]: str(r["id"]) for r in seat.sc.rows("location")}
    return str(seat.sc.rows("product")[0]["id"]), (by_code["SUP"], by_code["WH-A"])


def _compaction_floor_at_the_horizon(world: World) -> int:
    """What a retention job can set: it may purge only below the horizon (older entries may
    belong to transactions still open)."""
    with world.checker.connect() as conn:
        horizon = checks.horizon(conn)
    with world.checker.begin() as conn:
        conn.execute(sa.text("UPDATE tenant_info SET compaction_floor = :f"), {"f": horizon})
    return horizon


def test_a_snapshot_taken_while_the_horizon_is_at_the_compaction_floor_is_accepted(world):
    """Found as: compact, a long transaction open, a client below the floor resyncs → the sync
    ended with sync.resync, and every later sync downloaded the snapshot again. The snapshot's
    cursor is horizon − 1 = floor − 1: it lacks no change, yet it was taken for one below the floor."""
    rep = world.add_client("manager")
    product, locations = _seed_catalogue(rep)
    rep.sc.mutate("crm.customer.create", {"name": "上海华联"})
    assert rep.sc.sync().ok
    elsewhere = world.add_client("manager")
    elsewhere.sc.mutate("crm.customer.create", {"name": "北京同仁堂"})
    assert elsewhere.sc.sync().ok  # a commit rep has not pulled: rep's cursor ends below the floor
    writer = world.long_writer(product, locations)
    writer.begin()  # an import keeps its transaction open across the retention run
    floor = _compaction_floor_at_the_horizon(world)

    first = rep.sc.sync()

    assert first.ok and first.resynced, first
    assert rep.sc.state("cursor")["xact"] == floor - 1, "the snapshot stops at the horizon, the floor"
    again = rep.sc.sync()
    assert again.ok and not again.resynced and again.snapshot_rows == 0, "a fresh snapshot is current enough"
    assert {r["name"] for r in rep.sc.rows("party")} == {"上海华联", "北京同仁堂"}
    parties, _moves = writer.end(commit=True)
    assert rep.sc.sync().ok
    assert rep.sc.get("party", parties[0]["id"]) is not None, "the import's customer arrives once it commits"
