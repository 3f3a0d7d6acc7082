"""The ERP's mutators and reads on a real SQLite database with server-side semantics (row versions,
authoritative checks, document numbers), and a small warehouse: one site with two bins, a
supplier and a customer, two products."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import app.mutators  # noqa: F401  (registers every mutator)
from app.core import mutations
from app.core.ids import new_id
from app.core.schema import SYNCED_TABLES, metadata
from app.core.tx import Tx

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


class Erp:
    """Runs mutations as one user (server side, numbering like the server's) and reads rows back."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.now = NOW
        self.users: dict[str, uuid.UUID] = {}
        self.numbers: dict[tuple[str, int], int] = {}
        self.last: Tx | None = None
        self.ids: dict[str, uuid.UUID] = {}

    def _number(self, series: str, day: dt.date) -> str:
        key = (series, day.year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return f"{series}-{day.year}-{self.numbers[key]:06d}"

    def user(self, name: str, role: str) -> uuid.UUID:
        user_id = new_id()
        with self.engine.begin() as conn:
            Tx(conn, side="server", user_id=None, now=self.now).insert(
                "app_user", {"id": user_id, "username": name, "display_name": name.title(), "role": role})
        self.users[name] = user_id
        return user_id

    def run(self, who: str | None, mutation: str, /, side: str = "server", **args: Any) -> Any:
        """Run one mutation as `who` (None: a system job); returns the args' id (if any).

        `side="client"` runs it as a laptop would, speculatively (no document numbers)."""
        if "id" not in args and mutation.rsplit(".", 1)[-1] in ("create", "post"):
            args["id"] = new_id()
        with self.engine.begin() as conn:
            user_id = self.users[who] if who else None
            role = None
            if user_id is not None:
                t = metadata.tables["app_user"]
                role = conn.execute(sa.select(t.c.role).where(t.c.id == user_id)).scalar()
            self.last = Tx(conn, side=side, user_id=user_id, now=self.now, role=role,  # type: ignore[arg-type]
                           numbering=self._number if side == "server" else None)
            mutations.get(mutation, mutations.latest_version(mutation)).run(self.last, jsonable(args))
        return args.get("id")

    def get(self, table: str, row_id: Any) -> dict[str, Any]:
        t = metadata.tables[table]
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(t).where(t.c.id == row_id)).mappings().one())

    def rows(self, table: str, **equal: Any) -> list[dict[str, Any]]:
        t = metadata.tables[table]
        query = sa.select(t).order_by(t.c.id)
        for column, value in equal.items():
            query = query.where(t.c[column] == value)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def read(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a read function `fn(conn, ...)` on the database."""
        with self.engine.connect() as conn:
            return fn(conn, *args, **kwargs)

    def receive(self, product: str, qty: str, cost: str, bin_: str = "A-01") -> uuid.UUID:
        """A plain stock receipt from the supplier location (no purchase order)."""
        return self.run("clerk", "erp.stock.move", id=new_id(), product_id=self.ids[product], qty=qty,
                        from_location_id=self.ids["SUPPLIER"], to_location_id=self.ids[bin_], kind="receipt",
                        moved_at=self.now, unit_cost=cost)


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@pytest.fixture
def erp(tmp_path) -> Iterator[Erp]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.sqlite'}")
    metadata.create_all(engine, tables=[metadata.tables[n] for n in SYNCED_TABLES])
    world = Erp(engine)
    for name, role in (("boss", "manager"), ("rep", "sales_rep"), ("clerk", "clerk"), ("planner", "planner")):
        world.user(name, role)
    ids = world.ids
    ids["WH"] = world.run("boss", "erp.warehouse.create", code="SH", name="上海仓", kind="distribution")
    for code in ("A-01", "A-02"):
        ids[code] = world.run("boss", "erp.location.create", code=code, name=f"货位 {code}", warehouse_id=ids["WH"])
    for code, kind in (("SUPPLIER", "supplier"), ("CUSTOMER", "customer"), ("ADJUST", "adjustment")):
        ids[code] = world.run("boss", "erp.location.create", code=code, name=code, kind=kind)
    ids["SUP"] = new_id()
    with engine.begin() as conn:
        Tx(conn, side="server", user_id=None, now=NOW).insert(
            "party", {"id": ids["SUP"], "name": "宁波紧固件厂", "is_customer": False, "is_supplier": True})
        ids["CUST"] = new_id()
        Tx(conn, side="server", user_id=world.users["rep"], now=NOW).insert(
            "party", {"id": ids["CUST"], "name": "上海华联超市", "owner_id": world.users["rep"], "status": "active"})
    ids["BOLT"] = world.run("boss", "erp.product.create", sku="B-100", name="六角螺栓 M8", uom="pcs",
                            list_price="2.5000", standard_cost="1.2000", default_supplier_id=ids["SUP"],
                            lead_time_days=7, min_order_qty="100", order_multiple="50", reorder_point="200",
                            safety_stock="50", abc_class="A", barcodes=["6901234567892"])
    ids["NUT"] = world.run("boss", "erp.product.create", sku="N-200", name="螺母 M8", uom="pcs",
                           list_price="0.8000", standard_cost="0.3000", abc_class="B")
    yield world
    engine.dispose()
