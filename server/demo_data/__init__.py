"""Generated business data: the demo tenant's, and the benches' deterministic datasets.

Rows go straight into a tenant database with Postgres COPY; the change-capture triggers fire as
for any write, so ``sync_change`` ends up as a real server's would and clients sync it as usual.

The demo's data comes in sections (CRM, inventory, ...): each area adds its own generator to
`SECTIONS`; a section may read what the sections before it wrote (same transaction).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from app.core.schema import metadata
from server.demo_data.crm import EPOCH, HISTORY, DatasetSpec, Row, generate, uuid7_at
from server.demo_data.crm_more import generate_crm_more
from server.demo_data.inventory import InventorySpec, generate_inventory
from server.demo_data.orders import Party

__all__ = [
    "EPOCH", "HISTORY", "SECTIONS", "SIZES", "DatasetSpec", "DemoContext", "DemoSize", "InventorySpec",
    "Row", "copy_rows", "demo_customers", "generate", "generate_inventory", "load", "owners_of",
    "seed_demo", "uuid7_at",
]

Tables = Iterator[tuple[str, Iterator[Row]]]
Conn = psycopg.Connection[Any]


def copy_rows(conn: Conn, table: str, rows: Iterator[Row]) -> int:
    """COPY `rows` into `table` in the connection's current transaction; columns the rows do
    not name get their server default. Returns the number of rows written."""
    first = next(rows, None)
    if first is None:
        return 0
    known = [c.name for c in metadata.tables[table].columns]
    unknown = set(first) - set(known)
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    columns = [name for name in known if name in first]
    names = ", ".join(f'"{name}"' for name in columns)
    count = 0
    with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([row[name] for name in columns])
            count += 1
    return count


def owners_of(conn: Conn) -> list[uuid.UUID]:
    """The users that own customers: sales reps, managers and admins, in a stable order."""
    found = conn.execute(
        "SELECT id FROM app_user WHERE role IN ('sales_rep', 'manager', 'admin') ORDER BY username"
    ).fetchall()
    return [row[0] for row in found]


def load(conn: Conn, spec: DatasetSpec) -> dict[str, int]:
    """The bench's loader: generate `spec`'s rows and COPY them into the tenant database on `conn`
    (autocommit), one transaction per table; customers belong to the tenant's reps, managers and
    admins. Returns rows written per table."""
    counts: dict[str, int] = {}
    for table, rows in generate(spec, owners_of(conn)):
        with conn.transaction():
            counts[table] = copy_rows(conn, table, rows)
    conn.execute("ANALYZE party, contact, activity, sync_change")
    return counts


# --- the demo ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoSize:
    name: Literal["small", "large"]
    customers: int
    products: int
    contacts_per: int = 2
    #: each customer gets contacts_per + 0..contacts_spread contacts
    contacts_spread: int = 1
    activities_per: int = 5
    moves_per_product: int = 25
    history: dt.timedelta = dt.timedelta(days=2 * 365)


SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", customers=3_000, products=120),
    "large": DemoSize("large", customers=100_000, products=2_000, moves_per_product=40),
}


@dataclass(frozen=True)
class DemoContext:
    """What a demo section gets: the size, today, the demo's users by role (the main user of a
    role first) and the connection, inside the one transaction that writes the whole demo."""

    size: DemoSize
    now: dt.datetime
    users: Mapping[str, Sequence[uuid.UUID]]
    conn: Conn
    seed: int = 1

    def role(self, role: str) -> list[uuid.UUID]:
        return list(self.users.get(role, ()))


def _crm(ctx: DemoContext) -> Tables:
    reps = ctx.role("sales_rep")
    owners = [reps[0], *reps] if reps else []  # the main rep looks after half of the customers
    spec = DatasetSpec(
        customers=ctx.size.customers, contacts_per=ctx.size.contacts_per, activities_per=ctx.size.activities_per,
        seed=ctx.seed, english_share=0.15, now=ctx.now, history=ctx.size.history,
        contacts_spread=ctx.size.contacts_spread, due_days=10, lifelike=True,
    )
    return generate(spec, owners)


def _inventory(ctx: DemoContext) -> Tables:
    spec = InventorySpec(ctx.size.products, ctx.size.moves_per_product, ctx.seed)
    parties = ctx.conn.execute(
        "SELECT id, name, owner_id, is_customer, is_supplier FROM party ORDER BY id").fetchall()
    main_rep = ctx.role("sales_rep")[:1]
    # the main rep first: the orders' history leans to their customers
    customers = sorted((Party(r[0], r[1], r[2]) for r in parties if r[3]), key=lambda p: p.owner_id not in main_rep)
    suppliers = [Party(r[0], r[1], r[2]) for r in parties if r[4]]
    return generate_inventory(spec, ctx.now, ctx.size.history, ctx.role("clerk"), customers, suppliers)


#: the demo's data, section by section, in the order they are written
SECTIONS: list[Callable[[DemoContext], Tables]] = [_crm, generate_crm_more, _inventory]


def demo_customers(conn: Conn) -> int:
    """How many customers the tenant on `conn` has (0: the demo data is not there yet)."""
    row = conn.execute("SELECT count(*) FROM party WHERE is_customer").fetchone()
    return int(row[0]) if row else 0


def seed_demo(conn: Conn, size: DemoSize, users: Mapping[str, Sequence[uuid.UUID]],
              now: dt.datetime | None = None, seed: int = 1) -> dict[str, int]:
    """Write the demo's data into the tenant database on `conn` (autocommit) in one transaction,
    so an interrupted run leaves nothing half-made; dates run up to `now` (default: this moment).
    Returns rows written per table."""
    ctx = DemoContext(size, now or dt.datetime.now(dt.UTC), users, conn, seed)
    counts: dict[str, int] = {}
    with conn.transaction():
        for section in SECTIONS:
            for table, rows in section(ctx):
                counts[table] = counts.get(table, 0) + copy_rows(conn, table, rows)
    conn.execute(f"ANALYZE {', '.join([*counts, 'sync_change'])}")
    return counts
