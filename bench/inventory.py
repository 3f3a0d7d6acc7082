"""Inventory reads on a client cache the size of a busy warehouse (DESIGN §9): stock level lookup,
where a product is, the stock card, negative stock, available-to-promise.

    .venv/bin/python bench/inventory.py            # 10k products, 1M moves
    .venv/bin/python bench/inventory.py --quick    # 2k products, 100k moves

The cache is a real one (the client's ladder makes it) filled with SQLite bulk inserts in the
cache's storage form; the reads are the functions the screens call. Each case prints one JSON line
with its floor: the same number of primary-key reads of stock_level rows, in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from app.core.schema import metadata
from app.erp import stock_reads
from app.erp.stock import level_id
from app.sync import cache

SCALE = 10_000  # Quantity on SQLite: integer × 10⁴
BINS = 12
#: the share of all moves that belong to the busiest product (a fast mover's stock card)
HOT_SHARE = 0.02


def _ts(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def fill(path: Path, products: int, moves: int, seed: int = 1) -> dict[str, Any]:
    """A migrated cache with `products` products in `BINS` bins and `moves` moves, and the level
    projection the server would have sent; returns ids the cases read."""
    engine = cache.connect(path)
    cache.migrate(engine)
    engine.dispose()
    rng = random.Random(seed)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    stamp = _ts(now)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("UPDATE search_state SET paused = 1")
    common = ("version", "created_at", "updated_at", "archived")
    bins = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(BINS)]
    outside = {"supplier": uuid.UUID(int=rng.getrandbits(128)), "customer": uuid.UUID(int=rng.getrandbits(128))}
    db.executemany(f"INSERT INTO location (id, {', '.join(common)}, code, name, kind) VALUES (?, 1, ?, ?, 0, ?, ?, ?)",
                   [(b.hex, stamp, stamp, f"BIN-{i:02d}", f"货位 {i:02d}", "internal") for i, b in enumerate(bins)]
                   + [(v.hex, stamp, stamp, k.upper(), k, k) for k, v in outside.items()])
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(products)]
    db.executemany(
        f"INSERT INTO product (id, {', '.join(common)}, sku, name, name_pinyin, uom, kind) "
        "VALUES (?, 1, ?, ?, 0, ?, ?, ?, 'pcs', 'stocked')",
        [(p.hex, stamp, stamp, f"SKU-{n:06d}", f"产品 {n}", f"chanpin {n}") for n, p in enumerate(ids)])
    hot = ids[0]
    level: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    start = now - dt.timedelta(days=730)
    step = dt.timedelta(days=730) / max(moves, 1)
    batch = []
    for n in range(moves):
        product = hot if rng.random() < HOT_SHARE else ids[rng.randrange(products)]
        here = bins[hash(product) % BINS] if rng.random() < 0.8 else rng.choice(bins)
        qty = rng.randint(1, 50)
        kind = rng.random()
        if kind < 0.4:
            source, target, name = outside["supplier"], here, "receipt"
        elif kind < 0.9:
            source, target, name = here, outside["customer"], "delivery"
        else:
            source, target, name = here, rng.choice(bins), "transfer"
            if target == here:
                continue
        for place, sign in ((source, -1), (target, 1)):
            if place in bins:
                level[(product, place)] = level.get((product, place), 0) + sign * qty
        moment = _ts(start + step * n)
        batch.append((uuid.UUID(int=rng.getrandbits(128)).hex, moment, moment, product.hex, qty * SCALE,
                      source.hex, target.hex, name, moment))
        if len(batch) >= 50_000:
            _insert_moves(db, batch)
            batch = []
    _insert_moves(db, batch)
    db.executemany(
        f"INSERT INTO stock_level (id, {', '.join(common)}, product_id, location_id, qty) "
        "VALUES (?, 1, ?, ?, 0, ?, ?, ?)",
        [(level_id(p, b).hex, stamp, stamp, p.hex, b.hex, q * SCALE) for (p, b), q in level.items()])
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return {"products": ids, "hot": hot, "bins": bins, "levels": list(level)}


def _insert_moves(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany(
        "INSERT INTO stock_move (id, version, created_at, updated_at, archived, product_id, qty, from_location_id, "
        "to_location_id, kind, moved_at) VALUES (?, 1, ?, ?, 0, ?, ?, ?, ?, ?, ?)", rows)


def timed(fn: Callable[[], Any], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def line(case: str, n: int, samples: list[float], floor: list[float] | None, target: float, **extra: Any) -> None:
    p50, p95 = statistics.median(samples), sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
    out: dict[str, Any] = {"case": case, "n": n, "seconds": round(p95, 5), "p50_seconds": round(p50, 5),
                           "p95_seconds": round(p95, 5), "target_seconds": target}
    if floor:
        base = statistics.median(floor)
        out.update(floor_seconds=round(base, 5), ratio=round(p50 / base, 1) if base else None)
    print(json.dumps({**out, **extra}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--products", type=int)
    parser.add_argument("--moves", type=int)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    products = args.products or (2_000 if args.quick else 10_000)
    moves = args.moves or (100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cache.sqlite"
        started = time.perf_counter()
        data = fill(path, products, moves)
        print(json.dumps({"case": "fill_cache", "n": moves, "seconds": round(time.perf_counter() - started, 2)}),
              file=sys.stderr)
        engine = cache.connect(path)
        rng = random.Random(7)
        levels = metadata.tables["stock_level"]
        with cache.reading(engine) as conn:
            picks = [rng.choice(data["products"]) for _ in range(args.rounds)]
            pairs = [rng.choice(data["levels"]) for _ in range(args.rounds)]
            it = iter(picks * 5)
            pk = iter(pairs * 3)

            def floor_read() -> None:
                p, b = next(pk)
                conn.execute(sa.select(levels.c.qty).where(levels.c.id == level_id(p, b))).scalar()

            floor = timed(floor_read, args.rounds)
            line("stock_level_lookup", products, timed(lambda: stock_reads.on_hand(conn, next(it)), args.rounds),
                 floor, 0.05)
            line("stock_levels_of_product", products, timed(lambda: stock_reads.levels(conn, next(it)), args.rounds),
                 floor, 0.05)
            card_rounds = max(5, args.rounds // 5)
            line("stock_card_open", moves // products,
                 timed(lambda: stock_reads.stock_card(conn, next(it)), card_rounds), floor, 0.2)
            hot_moves = conn.execute(sa.text("SELECT count(*) FROM stock_move WHERE product_id = :p"),
                                     {"p": data["hot"].hex}).scalar()
            line("stock_card_open_busiest", int(hot_moves),
                 timed(lambda: stock_reads.stock_card(conn, data["hot"]), card_rounds), floor, 0.2)
            line("negative_levels", len(data["levels"]), timed(lambda: stock_reads.negative_levels(conn), 5), floor,
                 0.2)
            today = dt.date(2026, 12, 1)
            line("available_to_promise", products,
                 timed(lambda: stock_reads.available_to_promise(conn, next(it), today), args.rounds), floor, 0.05)
        engine.dispose()


if __name__ == "__main__":
    main()
