"""A client cache holding the bench dataset, written straight into the SQLite file the way a
snapshot bootstrap writes it (search index paused, rows in bulk, the index filled at the end), so
the CRM screens' benches need no server: a signed-in rep's cache, as after an initial sync.

The rows are `bench/dataset.py`'s (same seed, same rows), owned by an admin and the rep as the
sync bench's tenant shares them out, plus one busy customer of the rep's: `busy` activities over
three years, a few service cases and open opportunities, for the 360 view.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from dataset import EPOCH, HISTORY, DatasetSpec, generate, uuid7_at

from app.core.schema import metadata
from app.sync import SyncClient, cache
from app.sync.signin import Identity

#: the client never goes online in these benches: nothing listens here
NOWHERE = "http://127.0.0.1:9"
TENANT = "bench"
#: rows per executemany
BATCH = 5000
#: the busy customer's orders (DESIGN §9: the 360 view of a customer with 500 orders)
ORDERS = 500
_KINDS = ("call", "meeting", "visit", "task", "note")
_SUBJECTS = ("电话回访：{t}", "上门拜访：{t}", "会议纪要：{t}", "跟进任务：{t}", "备注：{t}")
_TOPICS = ("报价", "合同续签", "新品推荐", "售后回访", "账期", "年度框架协议", "样品测试", "交货期")


@dataclass(frozen=True)
class BenchCache:
    client: SyncClient
    identity: Identity
    #: customers, contacts, activities written (the busy customer's included)
    rows: dict[str, int]
    #: the rep's customer with `busy` activities
    busy_id: uuid.UUID
    busy_activities: int
    seconds: float


def size_label(customers: int) -> str:
    """How a case names the dataset's size: "100k", or "300" below a thousand."""
    return f"{customers // 1000}k" if customers >= 1000 else str(customers)


def _users() -> list[dict[str, Any]]:
    made = EPOCH - HISTORY
    rows = []
    for n, (username, role) in enumerate((("boss", "admin"), ("rep1", "sales_rep"), ("rep2", "sales_rep"))):
        rows.append({"id": uuid.UUID(int=(n + 1) << 64 | 0x7000_8000_0000_0000), "version": 1, "created_at": made,
                     "updated_at": made, "updated_by": None, "archived": False, "username": username,
                     "display_name": username.title(), "role": role})
    return rows


def _insert(conn: sa.Connection, table: str, rows: Iterable[dict[str, Any]]) -> int:
    """Rows in the cache's storage form through the tables' own types, BATCH at a time."""
    statement = sa.insert(metadata.tables[table])
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
        count += len(batch)
    return count


def _busy_rows(party: dict[str, Any], rep: uuid.UUID, activities: int,
               seed: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """The busy customer's history: `activities` activities, 12 cases, 8 opportunities, and 500
    orders of two lines each (20 products) with their deliveries."""
    rng = random.Random(seed * 7919 + 5000)
    start = EPOCH - HISTORY

    def common(at: dt.datetime) -> dict[str, Any]:
        return {"id": uuid7_at(at, rng), "version": 1, "created_at": at, "updated_at": at, "updated_by": rep,
                "archived": False, "party_id": party["id"]}

    for n in range(activities):
        at = start + dt.timedelta(seconds=rng.uniform(0, HISTORY.total_seconds()))
        kind = rng.choice(_KINDS)
        yield "activity", {**common(at), "user_id": rep, "kind": kind,
                           "subject": _SUBJECTS[_KINDS.index(kind)].format(t=rng.choice(_TOPICS)) + f" #{n}",
                           "body": "客户反馈良好，下周再联系。" if rng.random() < 0.5 else None, "occurred_at": at,
                           "done": kind == "task", "done_at": at if kind == "task" else None,
                           "due_at": at if kind == "task" else None}
    for n in range(12):
        at = EPOCH - dt.timedelta(days=rng.uniform(1, 400))
        yield "service_case", {**common(at), "subject": f"售后问题 #{n}", "priority": rng.choice(("low", "normal",
                               "high", "urgent")), "status": rng.choice(("open", "in_progress", "waiting", "closed")),
                               "assignee_id": rep, "opened_at": at}
    for n in range(8):
        at = EPOCH - dt.timedelta(days=rng.uniform(1, 200))
        yield "opportunity", {**common(at), "name": f"年度采购 #{n}", "stage": rng.choice(("qualified", "proposal",
                              "negotiation")), "amount": Decimal(rng.randrange(10, 500) * 1000), "currency": "CNY",
                              "probability": 40, "owner_id": rep,
                              "expected_close": (EPOCH + dt.timedelta(days=rng.randrange(10, 120))).date()}
    products = []
    for n in range(20):
        at = start - dt.timedelta(days=30)
        row = {**common(at), "sku": f"BENCH-{n:03d}", "name": f"测试产品 {n}", "uom": "pcs",
               "list_price": Decimal(rng.randrange(1, 500))}
        del row["party_id"]
        products.append(row)
        yield "product", row
    for n in range(ORDERS):
        at = start + dt.timedelta(seconds=rng.uniform(0, HISTORY.total_seconds()))
        order = {**common(at), "number": f"SO-BENCH-{n:06d}", "owner_id": rep, "state": "done",
                 "order_date": at.date(), "currency": "CNY", "confirmed_at": at, "amount_total": Decimal(0)}
        lines = []
        for position, item in enumerate(rng.sample(products, 2), start=1):
            qty = Decimal(rng.randrange(1, 50))
            amount = qty * item["list_price"]
            order["amount_total"] += amount
            lines.append({**common(at), "order_id": order["id"], "position": position, "product_id": item["id"],
                          "qty": qty, "uom": "pcs", "uom_factor": Decimal(1), "unit_price": item["list_price"],
                          "discount_pct": Decimal(0), "amount": amount, "qty_delivered": qty})
        yield "sales_order", order
        for line in lines:
            del line["party_id"]
            yield "sales_order_line", line
        yield "delivery", {**common(at), "number": f"DL-BENCH-{n:06d}", "order_id": order["id"], "ship_to": "",
                           "warehouse_id": products[0]["id"], "state": "done", "shipped_at": at}


def build(path: Path, customers: int, busy: int = 5000, seed: int = 1, reuse: bool = False) -> BenchCache:
    """A cache file at `path` signed in as rep1, holding `customers` customers with 2 contacts
    and 1 activity each (dataset.py's defaults) and the busy customer; `reuse` opens the one a
    former run built there (migrated to this program's cache version) instead."""
    started = time.perf_counter()
    client = SyncClient.open(path, NOWHERE, TENANT)
    users = _users()
    if reuse:
        return _reopened(client, users, started)
    boss, rep = users[0]["id"], users[1]["id"]
    counts: dict[str, int] = {}
    busy_party: dict[str, Any] | None = None
    with client.db.begin() as conn:
        cache.pause_search(conn)
        _insert(conn, "app_user", users)
        for table, rows in generate(DatasetSpec(customers, seed=seed), [boss, rep]):
            written: Iterable[dict[str, Any]] = rows
            if table == "party":
                parties = list(rows)
                # the rep's first live company (deterministic for a seed) gets the long history
                busy_party = next(p for p in parties if p["owner_id"] == rep and not p["archived"]
                                  and p["kind"] == "company")
                written = parties
            counts[table] = _insert(conn, table, written)
        assert busy_party is not None
        extra: dict[str, list[dict[str, Any]]] = {}
        for table, row in _busy_rows(busy_party, rep, busy, seed):
            extra.setdefault(table, []).append(row)
        for table, more in extra.items():
            counts[table] = counts.get(table, 0) + _insert(conn, table, more)
        cache.reindex_search(conn)
        cache.set_state(conn, "username", "rep1")
        cache.set_state(conn, "user_id", str(rep))
        cache.set_state(conn, "role", "sales_rep")
    identity = Identity(NOWHERE, TENANT, "rep1", rep, "sales_rep", "Rep1")
    return BenchCache(client, identity, counts, busy_party["id"], busy, time.perf_counter() - started)


def _reopened(client: SyncClient, users: list[dict[str, Any]], started: float) -> BenchCache:
    with cache.reading(client.db) as conn:
        counts = {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                  for t in ("party", "contact", "activity", "service_case", "opportunity")}
        busy_hex, busy = conn.exec_driver_sql(
            "SELECT party_id, count(*) FROM activity GROUP BY party_id ORDER BY 2 DESC LIMIT 1").one()
    identity = Identity(NOWHERE, TENANT, "rep1", users[1]["id"], "sales_rep", "Rep1")
    return BenchCache(client, identity, counts, uuid.UUID(busy_hex), int(busy), time.perf_counter() - started)
