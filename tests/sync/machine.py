"""The sync state machine: random offline edits on 2–4 clients, syncs, and injected faults
(tests/sync/faults.py), with DESIGN §4's invariants checked after every step (the always-true
ones) and whenever the clients are brought to quiet (all of them).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from app.core.protocol import Cursor
from app.sync import SyncReport
from app.sync import exchange as exchanging
from tests.sync import checks
from tests.sync.faults import FaultRules
from tests.sync.model import ServerModel
from tests.sync.network import ClientKilled, Fault
from tests.sync.steps import FIELD, NAMES, PICK, SEAT, VALUE, VALUES, as_json, step
from tests.sync.world import Seat, Servers, World, moved_at

#: syncs of every client in a row before the clients must be quiet
QUIET_ROUNDS = 6


#: the product only the long open transaction writes
LONG_SKU = "P-LONG"

class SyncMachine(FaultRules, RuleBasedStateMachine):
    def __init__(self, servers: Servers) -> None:
        super().__init__()
        self.broken = False
        self.limits = (exchanging.PULL_LIMIT, exchanging.PUSH_BATCH)
        self.model = ServerModel({})
        self.world = World(servers, self._pushed)
        self.queued: dict[int, Counter[str]] = {}
        self.pushes: list[tuple[int, dict[str, Any]]] = []
        self.products: list[str] = []
        self.long_product = ""
        self.locations: list[str] = []
        #: the compaction floor: a client whose cursor is below it downloads everything again
        self.floor = 0

    def _pushed(self, seat: int, body: dict[str, Any], out: dict[str, Any]) -> None:
        self.pushes.append((seat, body))
        self.model.observe(seat, body, out)
        for result in out["results"]:
            event(f"push result: {result['status']}")
            for c in result["conflicts"]:
                event(f"conflict on {c['field']}")

    # --- helpers ---------------------------------------------------------------------------------
    def seat(self, i: int) -> Seat:
        return self.world.seats[i % len(self.world.seats)]

    def mutate(self, seat: Seat, name: str, args: dict[str, Any]) -> None:
        self._queued(seat, seat.sc.mutate(name, args))

    def _queued(self, seat: Seat, mutation_id: int) -> None:
        with seat.sc.db.connect() as conn:
            digest = conn.execute(sa.text("SELECT args_hash FROM outbox WHERE id = :i"), {"i": mutation_id}).scalar()
        self.queued[seat.index][str(digest)] += 1

    def sync(self, seat: Seat) -> SyncReport:
        if self.world.writer is not None and self.world.writer.open:
            event("sync while a long transaction is open")
        below_floor = self.below_floor(seat)
        report = seat.sc.sync()
        assert not report.new_client_id, f"seat {seat.index}: lost its identity: {report}"
        assert not report.resynced or below_floor, f"seat {seat.index}: resynced for no reason: {report}"
        if report.resynced:
            event("resynced from a snapshot")
        return report

    def below_floor(self, seat: Seat) -> bool:
        cursor = seat.sc.state("cursor")
        return cursor is not None and Cursor.model_validate(cursor).below_floor(self.floor)

    def sync_ok(self, seat: Seat) -> SyncReport:
        report = self.sync(seat)
        assert report.ok, f"seat {seat.index}: {report}"
        return report

    def sync_with(self, seat: Seat, fault: Fault) -> tuple[SyncReport | None, Fault]:
        """Sync through an armed fault; a killed client is started again from its file."""
        assert seat.net is not None
        seat.net.arm(fault)
        try:
            return self.sync(seat), fault
        except ClientKilled:
            self.world.restart_client(seat)
            return None, fault
        finally:
            if seat.net is not None:
                seat.net.disarm()
            if fault.fired:
                event(f"fault fired: {fault.action} {fault.endpoint}")

    def parties(self, seat: Seat) -> list[dict[str, Any]]:
        return seat.sc.rows("party")

    # --- setting up --------------------------------------------------------------------------------
    @initialize(
        roles=st.lists(st.sampled_from(["manager", "sales_rep", "clerk"]), min_size=1, max_size=3),
        pull_limit=st.sampled_from([1, 3, 2000]),
        push_batch=st.sampled_from([1, 2, 500]),
    )
    @step
    def start(self, roles: list[str], pull_limit: int, push_batch: int) -> None:
        """Clients sign in; the first one seeds products, locations and customers for everyone."""
        exchanging.PULL_LIMIT, exchanging.PUSH_BATCH = pull_limit, push_batch
        self.model.roles.update({i: role for i, role in enumerate(["manager", *roles])})
        self.model.fates.update({i: Counter() for i in self.model.roles})
        for role in ["manager", *roles]:
            seat = self.world.add_client(role)
            self.queued[seat.index] = Counter()
        first = self.world.seats[0]
        # P-LONG is the long writer's alone (faults.open_long_transaction): its stock level and
        # valuation rows stay locked while that transaction is open, and no client moves it
        for sku, name in (("P-1", "螺丝"), ("P-2", "Bolt"), (LONG_SKU, "长事务导入品")):
            self.mutate(first, "erp.product.create", {"sku": sku, "name": name})
        for code, kind in (("WH-A", "internal"), ("WH-B", "internal"), ("SUP", "supplier")):
            self.mutate(first, "erp.location.create", {"code": code, "name": code, "kind": kind})
        for name in ("上海华联", "Acme Ltd"):
            self.mutate(first, "crm.customer.create", {"name": name, "credit_limit": "1000.00", "phone": "021-5555"})
        for seat in self.world.seats:
            self.sync_ok(seat)
        by_sku = {r["sku"]: str(r["id"]) for r in first.sc.rows("product")}
        self.products = [by_sku["P-1"], by_sku["P-2"]]
        self.long_product = by_sku[LONG_SKU]
        by_code = {r["code"]: str(r["id"]) for r in first.sc.rows("location")}
        self.locations = [by_code["WH-A"], by_code["WH-B"], by_code["SUP"]]

    def teardown(self) -> None:
        try:
            if not self.broken and self.world.seats:
                self.quiesce_and_check()
        finally:
            exchanging.PULL_LIMIT, exchanging.PUSH_BATCH = self.limits
            self.world.close()

    # --- offline edits -------------------------------------------------------------------------
    @rule(seat=SEAT, name=NAMES, credit=VALUE, status=VALUE, phone=VALUE)
    @step
    def create_customer(self, seat: int, name: str, credit: int, status: int, phone: int) -> None:
        self.mutate(self.seat(seat), "crm.customer.create", {
            "name": name, "credit_limit": VALUES["credit_limit"][credit], "status": VALUES["status"][status],
            "phone": VALUES["phone"][phone]})

    @rule(seat=SEAT, pick=PICK)
    @step
    def create_customer_reusing_an_id(self, seat: int, pick: int) -> None:
        """A faulty import reuses a customer's id: the server must refuse it, the cache recover."""
        s = self.seat(seat)
        rows = self.parties(s)
        if rows:
            self.mutate(s, "crm.customer.create", {"id": str(rows[pick % len(rows)]["id"]), "name": "重复"})

    @rule(seat=SEAT, pick=PICK, field=FIELD, value=VALUE)
    @step
    def edit_customer(self, seat: int, pick: int, field: str, value: int) -> None:
        s = self.seat(seat)
        rows = self.parties(s)
        if rows:
            self._edit(s, rows[pick % len(rows)], field, value)

    def _edit(self, seat: Seat, row: dict[str, Any], field: str, value: int) -> None:
        change = {"base": as_json(row[field]), "new": VALUES[field][value]}
        self.mutate(seat, "crm.customer.update", {"id": str(row["id"]), field: change})

    @rule(first=SEAT, second=SEAT, pick=PICK, fields=st.tuples(FIELD, FIELD), same=st.booleans(),
          values=st.tuples(VALUE, VALUE))
    @step
    def edit_customer_on_two_clients(self, first: int, second: int, pick: int, fields: tuple[str, str],
                                     same: bool, values: tuple[int, int]) -> None:
        """Two clients edit one customer offline: the same field (a clash) or different ones."""
        a, b = self.seat(first), self.seat(second)
        if a is b:
            b = self.seat(first + 1)
        in_b = {r["id"]: r for r in self.parties(b)}
        shared = [r for r in self.parties(a) if r["id"] in in_b]
        if shared:
            row = shared[pick % len(shared)]
            self._edit(a, row, fields[0], values[0])
            self._edit(b, in_b[row["id"]], fields[0] if same else fields[1], values[1])

    @rule(seat=SEAT, pick=PICK, mine=st.booleans())
    @step
    def resolve_a_conflict(self, seat: int, pick: int, mine: bool) -> None:
        """The user settles a conflict: keep theirs, or send mine again (a new mutation)."""
        s = self.seat(seat)
        open_ones = s.sc.conflicts()
        if open_ones:
            conflict = open_ones[pick % len(open_ones)]
            mutation_id = s.sc.resolve_conflict(conflict["id"], "mine" if mine else "theirs")
            if mutation_id is not None:
                self._queued(s, mutation_id)

    @rule(seat=SEAT, pick=PICK, archived=st.booleans())
    @step
    def archive_customer(self, seat: int, pick: int, archived: bool) -> None:
        s = self.seat(seat)
        rows = self.parties(s)
        if rows:
            self.mutate(s, "crm.customer.archive", {"id": str(rows[pick % len(rows)]["id"]), "archived": archived})

    @rule(seat=SEAT, pick=PICK, name=NAMES)
    @step
    def create_contact(self, seat: int, pick: int, name: str) -> None:
        s = self.seat(seat)
        rows = self.parties(s)
        if rows:
            self.mutate(s, "crm.contact.create", {"party_id": str(rows[pick % len(rows)]["id"]), "name": name})

    @rule(seat=SEAT, pick=PICK, kind=st.sampled_from(["call", "visit", "note"]))
    @step
    def log_activity(self, seat: int, pick: int, kind: str) -> None:
        s = self.seat(seat)
        rows = self.parties(s)
        if rows:
            self.mutate(s, "crm.activity.log", {"party_id": str(rows[pick % len(rows)]["id"]), "kind": kind,
                                                "subject": "拜访", "occurred_at": moved_at()})

    @rule(seat=SEAT, pick=PICK, route=st.sampled_from([(0, 1), (1, 0), (2, 0), (0, 2)]),
          qty=st.sampled_from(["1", "2.5", "0.0001", "10"]))
    @step
    def move_stock(self, seat: int, pick: int, route: tuple[int, int], qty: str) -> None:
        s = self.seat(seat)
        products = [r for r in s.sc.rows("product") if r["sku"] != LONG_SKU]
        source, target = (self.locations[i] for i in route)
        kind = "transfer" if 2 not in route else ("receipt" if route[0] == 2 else "delivery")
        self.mutate(s, "erp.stock.move", {
            "product_id": str(products[pick % len(products)]["id"]), "qty": qty, "kind": kind,
            "from_location_id": source, "to_location_id": target, "moved_at": moved_at()})

    @rule(seat=SEAT, sku=st.sampled_from(["P-1", "P-3", "P-4"]))
    @step
    def create_product(self, seat: int, sku: str) -> None:
        """Two clerks may give two new products one SKU offline: the later one is refused."""
        s = self.seat(seat)
        if sku not in {r["sku"] for r in s.sc.rows("product")}:
            self.mutate(s, "erp.product.create", {"sku": sku, "name": f"新品 {sku}"})

    # --- syncing -------------------------------------------------------------------------------
    @rule(seat=SEAT)
    @step
    def sync_client(self, seat: int) -> None:
        self.sync_ok(self.seat(seat))

    @rule()
    @step
    def quiesce(self) -> None:
        self.quiesce_and_check()

    # --- invariants ------------------------------------------------------------------------------
    @invariant()
    @step
    def always(self) -> None:
        """Invariant 5 after every step: cache intact, outbox whole and dense, cursor not ahead;
        and every answer of the server so far as the merge rules say."""
        assert not self.model.problems, "\n".join(self.model.problems)
        if not self.world.seats:
            return
        with self.world.checker.connect() as conn:
            fates = checks.server_fates(conn, self.world)
            for seat in self.world.seats:
                checks.cache_intact(seat)
                ran = Counter(h for (h, status) in fates[seat.index].elements() if status != "rejected")
                checks.outbox_whole(seat, self.queued[seat.index], ran)
                checks.cursor_not_ahead(seat, conn)

    def quiesce_and_check(self) -> None:
        """Commit the long writer, sync every client until none has anything to send or fetch,
        then check invariants 1, 2, 3, 4, 6 and 7."""
        if self.world.writer is not None and self.world.writer.open:
            self._end_long_transaction(commit=True)
        for _round in range(QUIET_ROUNDS):
            reports = [self.sync_ok(seat) for seat in self.world.seats]
            if all(r.pushed == 0 and r.pulled_changes == 0 for r in reports):
                break
        else:
            raise AssertionError(f"clients still busy after {QUIET_ROUNDS} rounds of syncs: {reports}")
        event("quiesced")
        assert not self.model.problems, "\n".join(self.model.problems)
        with self.world.checker.connect() as conn:
            checks.converged(self.world, conn)
            checks.nothing_lost_and_once(self.world, self.model, self.queued, conn)
            checks.rows_match_model(self.model, conn)
            checks.conflicts_recorded(self.world, self.model)
            products = sorted(self.model.ids["product"])
            checks.stock_adds_up(self.world, self.model, conn, products, self.locations)
