"""CRM screen benches (DESIGN §9): one JSON line per case on stdout.

    python bench/crm.py --quick      # 20k customers, a minute or two
    python bench/crm.py              # 100k customers + 200k contacts + 100k activities

The client's cache is written straight from the bench dataset (bench/crm_cache.py): no server.
Cases: the customer list's query when the list opens and for each keystroke of a typed filter;
the real Customers page (Qt, offscreen) from being asked to show until its first rows are painted,
and per keystroke; the 360 view of a customer with 5,000 activities, its reads and its page's
first paint. During the Qt cases a 10 ms timer records how late the GUI thread let it fire.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa
from crm_cache import BenchCache, build, size_label

from app.core import fmt
from app.crm import view360 as reads
from app.crm.customer_list import CustomerFilter, customer_query
from app.sync.cache import reading

try:  # the list's text through the search index (as the Customers page runs it)
    from app.sync.list_search import customer_candidates
except ImportError:  # a tree from before it, for a "before" figure
    customer_candidates = None  # type: ignore[assignment]

#: what a rep types, one keystroke at a time ("" clears the box: the whole list again)
TYPED = ("s", "sh", "sha", "shan", "上", "上海", "上海华", "z", "zw", "1381", "")
#: filters that narrow by more than text: (label, filter)
MIXED: tuple[tuple[str, CustomerFilter], ...] = (
    ("mine+sha", CustomerFilter(mine=True, text="sha")),
    ("tier_a+上海", CustomerFilter(tiers=["A"], text="上海")),
    ("active+zw", CustomerFilter(statuses=["active"], text="zw")),
)
#: the DESIGN §9 budgets, seconds
OPEN_TARGET, KEY_TARGET, VIEW360_TARGET, BLOCKED_TARGET = 0.15, 0.05, 0.2, 0.05


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _r(value: float) -> float:
    return round(value, 4)


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    """`rounds` timings of `fn` after one untimed call (the pages it reads in SQLite's cache, as
    in an app that has been running a while)."""
    timings, result = [], fn()
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - started)
    return timings, result


def _stats(timings: Sequence[float]) -> dict[str, float]:
    return {"p50_seconds": _r(statistics.median(timings)), "p95_seconds": _r(_p95(timings))}


# --- the domain queries ------------------------------------------------------------------------
def list_ids(bench: BenchCache, f: CustomerFilter, now: dt.datetime) -> list[str]:
    """The customer list's query as the table model runs it: ids as stored (no UUID objects)."""
    narrow: dict[str, Any] = {} if customer_candidates is None else {"text_index": customer_candidates}
    query = customer_query(f, bench.identity.user_id, now, **narrow)
    query = query.with_only_columns(sa.type_coerce(query.selected_columns[0], sa.String()))
    with reading(bench.client.db) as conn:
        result = conn.execute(query)
        try:
            return [key for (key,) in result.cursor.fetchall()]
        finally:
            result.close()


def domain_cases(bench: BenchCache, customers: int, rounds: int, now: dt.datetime) -> None:
    db = bench.client.db
    k = size_label(customers)

    def floor() -> list[str]:
        with reading(db) as conn:
            cursor = conn.connection.driver_connection.execute("SELECT id FROM party")  # type: ignore[union-attr]
            return [key for (key,) in cursor.fetchall()]

    floors, _ = _timed(floor, rounds)
    timings, ids = _timed(lambda: list_ids(bench, CustomerFilter(), now), rounds)
    p95 = _p95(timings)
    emit({"case": f"customer_list_open_{k}", "n": len(ids), "seconds": _r(p95), "floor_seconds": _r(_p95(floors)),
          "ratio": round(p95 / _p95(floors), 2), "target_seconds": OPEN_TARGET, **_stats(timings), "rounds": rounds})

    keys: dict[str, float] = {}
    matches: dict[str, int] = {}
    worst: list[float] = []
    for label, f in [*((text, CustomerFilter(text=text)) for text in TYPED), *MIXED]:
        timings, ids = _timed(partial(list_ids, bench, f, now), rounds)
        keys[label], matches[label] = _r(_p95(timings)), len(ids)
        if label:  # the cleared box is the whole list again: the open's budget
            worst.append(_p95(timings))
    emit({"case": f"customer_list_filter_{k}", "n": customers, "seconds": _r(max(worst)), "target_seconds": KEY_TARGET,
          "p50_seconds": _r(statistics.median(worst)), "rounds": rounds, "p95_seconds_by_text": keys,
          "matches": matches, "cleared_seconds": keys[""]})

    today = now.astimezone(ZoneInfo(fmt.DISPLAY_TZ)).date()

    def load() -> reads.Customer360 | None:
        with reading(db) as conn:
            return reads.view360(conn, bench.busy_id, now, today=today)

    timings, view = _timed(load, rounds)
    assert view is not None and view.timeline.items
    p95 = _p95(timings)
    emit({"case": "view360_load", "n": bench.busy_activities, "seconds": _r(p95),
          "target_seconds": VIEW360_TARGET, **_stats(timings), "rounds": rounds, "orders": 500})


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a cache file, whatever its write-ahead log still holds."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CRM screen benches; one JSON line per case.")
    parser.add_argument("--quick", action="store_true", help="a small dataset (20k customers)")
    parser.add_argument("--customers", type=int, help="dataset size (default 100000, or 20000 with --quick)")
    parser.add_argument("--activities", type=int, default=5000, help="activities of the 360 view's customer")
    parser.add_argument("--rounds", type=int, default=20, help="repeats of each measure (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ui", action="store_true", help="only the domain queries (no Qt)")
    parser.add_argument("--cache", type=Path, help="reuse (or keep) the cache file at this path")
    args = parser.parse_args(argv)
    customers = args.customers or (20_000 if args.quick else 100_000)
    rounds = args.rounds
    folder = Path(tempfile.mkdtemp(prefix="yiti-bench-crm-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "cache.sqlite"
    reused = args.cache is not None and args.cache.exists()
    if reused:
        _copy(args.cache, path)
    bench = build(path, customers, args.activities, args.seed, reuse=reused)
    if args.cache is not None and not reused:
        _copy(path, args.cache)
    emit({"case": "cache_built", "n": sum(bench.rows.values()), "seconds": round(bench.seconds, 2), **bench.rows,
          "reused": reused, "cpus": os.cpu_count(), "loadavg": round(os.getloadavg()[0], 1)})
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the dataset's "now"
    bench.client.clock = lambda: now
    try:
        domain_cases(bench, customers, rounds, now)
        if not args.no_ui:
            from crm_ui import ui_cases

            ui_cases(bench, customers, rounds, folder, TYPED)
    finally:
        bench.client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
