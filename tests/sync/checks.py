"""The sync invariants of DESIGN §4 as checks over real state: the server's Postgres (read apart
from the server's own pool) and each client's SQLite cache."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import sqlalchemy as sa

from app.core import mutations
from app.core.schema import GUARDED, SCOPES, SYNCED_TABLES, metadata, total
from app.erp import stock
from app.sync.codec import decode_row, loads
from server import permissions
from tests.sync.model import PARTY_FIELDS, ServerModel, norm
from tests.sync.world import Seat, World


def tables_of(seat: Seat) -> list[str]:
    """The synced tables a seat's role pulls."""
    scopes = set(permissions.scopes_for(seat.role))
    return [t for t in SYNCED_TABLES if SCOPES[t] in scopes]


def horizon(conn: sa.Connection) -> int:
    """The pull horizon: every transaction below it has ended (cluster-wide)."""
    return int(conn.execute(sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).scalar_one())


def server_rows(conn: sa.Connection, table: str) -> dict[str, dict[str, Any]]:
    t = metadata.tables[table]
    return {str(r["id"]): dict(r) for r in conn.execute(sa.select(t)).mappings()}


def cache_rows(seat: Seat, table: str) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): r for r in seat.sc.rows(table)}


def _local(seat: Seat, sql: str) -> list[sa.Row[Any]]:
    with seat.sc.db.connect() as conn:
        return list(conn.execute(sa.text(sql)).all())


def _diff(where: str, mine: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]) -> list[str]:
    out = [f"{where}: row {i} only in the cache" for i in sorted(mine.keys() - theirs.keys())]
    out += [f"{where}: row {i} missing from the cache" for i in sorted(theirs.keys() - mine.keys())]
    for i in sorted(mine.keys() & theirs.keys()):
        delta = {k: (mine[i].get(k), v) for k, v in theirs[i].items() if mine[i].get(k) != v}
        if delta:
            out.append(f"{where}: row {i} differs (cache, server): {delta}")
    return out


# --- always true (invariant 5) ---------------------------------------------------------------------
def cache_intact(seat: Seat) -> None:
    """The file is sound and the outbox whole: ids increase with done mutations before pending
    ones, pending ids form one run, and a hole is only where a rejected mutation left."""
    (check,) = _local(seat, "PRAGMA quick_check")[0]
    assert check == "ok", f"seat {seat.index}: cache damaged: {check}"
    rows = _local(seat, "SELECT id, state FROM outbox ORDER BY id")
    states = [r.state for r in rows]
    assert states == sorted(states), f"seat {seat.index}: a done mutation after a pending one: {rows}"
    pending = [r.id for r in rows if r.state == "pending"]
    assert pending == list(range(pending[0], pending[0] + len(pending))) if pending else True, (
        f"seat {seat.index}: pending ids not dense: {pending}"
    )
    ids = [r.id for r in rows]
    rejected = {r["mutation_id"] for r in seat.sc.rejected(include_dismissed=True)}
    holes = set(range(ids[0], ids[-1] + 1)) - set(ids) if ids else set()
    assert holes <= rejected, f"seat {seat.index}: outbox lost mutations {sorted(holes - rejected)}: {ids}"


def outbox_whole(seat: Seat, queued: Counter[str], server_log: Counter[str]) -> None:
    """Every mutation queued here is still queued, visibly rejected, or on the server."""
    local = Counter(r.args_hash for r in _local(seat, "SELECT args_hash FROM outbox"))
    rejected = rejected_hashes(seat)
    invented = (local + rejected) - queued
    assert not invented, f"seat {seat.index}: mutations nobody queued: {invented}"
    lost = queued - local - rejected - server_log
    assert not lost, f"seat {seat.index}: queued mutations gone from outbox, inbox and server: {lost}"


def rejected_hashes(seat: Seat) -> Counter[str]:
    return Counter(
        mutations.args_hash(r["name"], r["version"], r["args"]) for r in seat.sc.rejected(include_dismissed=True)
    )


def cursor_not_ahead(seat: Seat, conn: sa.Connection) -> None:
    """Every server row unchanged since the cursor's point is in the cache as it is on the server
    (or, if a queued mutation touches it, in the shadow as the rebase base)."""
    cursor = seat.sc.state("cursor")
    if cursor is None:
        return
    latest = {
        (r.tbl, r.row_id): r.x
        for r in conn.execute(sa.text(
            "SELECT tbl, row_id::text AS row_id, max(xact_id::text::bigint) AS x FROM sync_change GROUP BY tbl, row_id"
        ))
    }
    shadow = {(r.tbl, r.row_id): r.base for r in _local(seat, "SELECT tbl, row_id, base FROM shadow")}
    for table in tables_of(seat):
        cached = cache_rows(seat, table)
        for row_id, row in server_rows(conn, table).items():
            x = latest.get((table, row_id))
            if x is None or x > cursor["xact"]:
                continue
            if (table, row_id) in shadow:
                base = shadow[(table, row_id)]
                have = None if base is None else decode_row(table, loads(base))
                where = "shadow"
            else:
                have, where = cached.get(row_id), "cache"
            assert have == row, (
                f"seat {seat.index}: cursor {cursor['xact']} passed {table} {row_id} (changed at {x}) but the "
                f"{where} has {have}, the server {row}"
            )


# --- when quiet (invariants 1, 2, 3, 6, 7) ---------------------------------------------------------
def converged(world: World, conn: sa.Connection) -> None:
    """Every cache equals the server, table by table and row by row, within its scopes."""
    problems: list[str] = []
    server = {t: server_rows(conn, t) for t in SYNCED_TABLES}
    for seat in world.seats:
        mine = tables_of(seat)
        for table in SYNCED_TABLES:
            expected = server[table] if table in mine else {}
            problems += _diff(f"seat {seat.index} {table}", cache_rows(seat, table), expected)
        left = _local(seat, "SELECT id, state, name FROM outbox")
        if left:
            problems.append(f"seat {seat.index}: outbox not empty when quiet: {left}")
    assert not problems, "caches differ from the server:\n" + "\n".join(problems)


def server_fates(conn: sa.Connection, world: World) -> dict[int, Counter[tuple[str, str]]]:
    """seat → Counter of (args hash, status) in the server's mutation log."""
    seat_of = {s.username: s.index for s in world.seats}
    fates: dict[int, Counter[tuple[str, str]]] = {s.index: Counter() for s in world.seats}
    for r in conn.execute(sa.text(
        "SELECT u.username, m.args_hash, m.status FROM mutation_log m "
        "JOIN sync_client c ON c.client_id = m.client_id JOIN app_user u ON u.id = c.user_id"
    )):
        fates[seat_of[r.username]][(r.args_hash, r.status)] += 1
    return fates


def nothing_lost_and_once(world: World, model: ServerModel, queued: dict[int, Counter[str]],
                          conn: sa.Connection) -> None:
    """Invariants 2 and 3: each queued mutation reached the server exactly once, and each
    rejection is in its client's rejected list."""
    fates = server_fates(conn, world)
    for seat in world.seats:
        got = fates[seat.index]
        assert got == model.fates[seat.index], (
            f"seat {seat.index}: the server's log {got} differs from the answers it gave {model.fates[seat.index]}"
        )
        ran = Counter(h for (h, _status) in got.elements())
        assert ran == queued[seat.index], (
            f"seat {seat.index}: queued {queued[seat.index]}, the server ran {ran} "
            f"(missing {queued[seat.index] - ran}, extra {ran - queued[seat.index]})"
        )
        refused = Counter(h for (h, status) in got.elements() if status == "rejected")
        assert rejected_hashes(seat) == refused, f"seat {seat.index}: rejected list differs from the server's"


def rows_match_model(model: ServerModel, conn: sa.Connection) -> None:
    """Invariant 6 (and 3 for rows that accumulate): every field as the merge rules say."""
    parties = server_rows(conn, "party")
    assert parties.keys() == model.parties.keys(), "customers on the server differ from the model"
    for row_id, expected in model.parties.items():
        have = {f: norm(f, parties[row_id][f]) for f in (*PARTY_FIELDS, "archived")}
        assert have == expected, f"customer {row_id}: server {have}, expected {expected}"
    for table in ("contact", "activity"):
        assert server_rows(conn, table).keys() == model.ids[table], f"{table} rows differ from the accepted ones"
    assert server_rows(conn, "stock_move").keys() == model.moves.keys(), "stock moves differ from the accepted ones"


def conflicts_recorded(world: World, model: ServerModel) -> None:
    """A guarded-field clash leaves one conflict record, at the client whose write lost; an edit
    of an archived record leaves at least one (the client may have seen the archive first)."""
    records: Counter[tuple[Any, ...]] = Counter()
    for seat in world.seats:
        for c in seat.sc.conflicts(include_resolved=True):
            records[(seat.index, c["tbl"], c["row_id"], c["field"], norm(c["field"], c["mine"]),
                     norm(c["field"], c["theirs"]))] += 1

    def guarded(keys: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
        return Counter({k: n for k, n in keys.items() if k[3] in GUARDED.get(k[1], ())})

    assert guarded(records) == guarded(model.conflicts), (
        f"conflict records {guarded(records)}, server-reported clashes {guarded(model.conflicts)}"
    )
    unheard = {k for k in model.conflicts if k[3] == "archived"} - set(records)
    assert not unheard, f"edits of archived records that reached no inbox: {unheard}"


def _level(conn: sa.Connection, level_id: uuid.UUID) -> Any:
    levels = metadata.tables["stock_level"]
    found = conn.execute(sa.select(levels.c.qty).where(levels.c.id == level_id)).scalar()
    return 0 if found is None else found


def stock_adds_up(world: World, model: ServerModel, conn: sa.Connection, products: list[str],
                  locations: list[str]) -> None:
    """Invariant 7: on hand = Σ accepted moves, on the server and in every cache."""
    moves, places = metadata.tables["stock_move"], metadata.tables["location"]
    for product in products:
        for location in locations:
            expected = model.on_hand(product, location)
            pid, lid = uuid.UUID(product), uuid.UUID(location)
            into = conn.execute(sa.select(total(moves.c.qty)).where(
                moves.c.product_id == pid, moves.c.to_location_id == lid)).scalar_one()
            out = conn.execute(sa.select(total(moves.c.qty)).where(
                moves.c.product_id == pid, moves.c.from_location_id == lid)).scalar_one()
            assert into - out == expected, f"server on hand {into - out} ≠ Σ accepted moves {expected}"
            level_id = stock.level_id(pid, lid)
            internal = conn.execute(sa.select(places.c.kind).where(places.c.id == lid)).scalar_one() == "internal"
            if internal:  # the projection the server keeps of the ledger, and every cache's copy of it
                assert _level(conn, level_id) == expected, "server stock_level ≠ Σ accepted moves"
            for seat in world.seats:
                have = seat.sc.on_hand(product, location)
                assert have == expected, f"seat {seat.index}: on hand {have} ≠ Σ accepted moves {expected}"
                if internal:
                    with seat.sc.db.connect() as cache:
                        assert _level(cache, level_id) == expected, f"seat {seat.index}: stock_level ≠ Σ moves"
