"""A small warehouse for the scanner screens' tests, made the way the business makes it: a manager
sets up a warehouse with two bins and the adjustment location, products with barcodes (a box of
12 has its own), a supplier and a confirmed purchase order; the clerk's desktop syncs all of it.
Also: typing a scan as a wedge scanner does, and reading stock back from the clerk's cache."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from PySide6.QtCore import Qt

from app.core.ids import new_id
from app.core.schema import metadata
from app.core.tx import Tx
from app.erp.stock_reads import on_hand
from app.sync import SyncClient
from app.sync.cache import reading
from tests.ui.desk import Desk

WAIT = 15_000
BOLT_PCS, BOLT_BOX, NUT_PCS = "6901234500017", "6901234500024", "6901234500031"


@dataclass
class World:
    boss: SyncClient
    clerk: SyncClient
    ids: dict[str, str] = field(default_factory=dict)
    order_number: str = ""


def synced(c: SyncClient) -> None:
    report = c.sync()
    assert report.ok and report.rejected == 0, (report, c.rejected())


def build(desk: Desk, cluster, with_order: bool = True) -> World:
    boss = desk.client("boss", "manager")
    ids: dict[str, str] = {}
    ids["SUP"] = str(new_id())
    with cluster.tenant_engine(desk.tenant).begin() as conn:
        Tx(conn, side="server", user_id=None, now=dt.datetime.now(dt.UTC)).insert(
            "party", {"id": ids["SUP"], "name": "宁波紧固件厂", "is_customer": False, "is_supplier": True})
    ids["WH"] = str(new_id())
    boss.mutate("erp.warehouse.create", {"id": ids["WH"], "code": "SH", "name": "上海仓"})
    for code in ("A-01", "A-02"):
        ids[code] = str(new_id())
        boss.mutate("erp.location.create", {"id": ids[code], "code": code, "name": f"货位 {code}",
                                            "warehouse_id": ids["WH"]})
    ids["ADJ"] = str(new_id())
    boss.mutate("erp.location.create", {"id": ids["ADJ"], "code": "ADJ", "name": "盘盈盘亏", "kind": "adjustment"})
    for key, sku, name, barcode in (("BOLT", "BOLT-M8", "六角螺栓 M8", BOLT_PCS),
                                    ("NUT", "NUT-M8", "法兰螺母 M8", NUT_PCS),
                                    ("WASHER", "WSH-M8", "平垫圈 M8", None)):
        ids[key] = str(new_id())
        boss.mutate("erp.product.create", {"id": ids[key], "sku": sku, "name": name, "standard_cost": "1.2000",
                                           "barcodes": [barcode] if barcode else []})
    boss.mutate("erp.product.unit.set", {"product_id": ids["BOLT"], "uom": "box", "factor": "12"})
    boss.mutate("erp.product.barcode.add", {"product_id": ids["BOLT"], "barcode": BOLT_BOX, "uom": "box"})
    world = World(boss=boss, clerk=boss, ids=ids)
    if with_order:
        ids["PO"], ids["PO-BOLT"], ids["PO-NUT"] = (str(new_id()) for _ in range(3))
        boss.mutate("erp.purchase.create", {
            "id": ids["PO"], "party_id": ids["SUP"], "warehouse_id": ids["WH"], "over_receipt_pct": "10",
            "order_date": dt.date.today().isoformat(),
            "lines": [{"id": ids["PO-BOLT"], "product_id": ids["BOLT"], "qty": "2", "uom": "box", "unit_price": "12"},
                      {"id": ids["PO-NUT"], "product_id": ids["NUT"], "qty": "10", "unit_price": "0.5"}]})
        boss.mutate("erp.purchase.confirm", {"id": ids["PO"]})
    synced(boss)
    if with_order:
        number = boss.get("purchase_order", ids["PO"])
        assert number is not None and number["number"]
        world.order_number = number["number"]
    world.clerk = desk.client("clerk", "clerk")
    synced(world.clerk)
    return world


def scan(qtbot, page, text: str) -> None:
    """Type a code and Enter into the page's scan field (a wedge scanner), and wait for its result."""
    field_ = page.scan.field
    assert field_.hasFocus() or not page.isActiveWindow(), "the focus must be where the next scan goes"
    qtbot.keyClicks(field_, text)
    qtbot.keyClick(field_, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.scan.idle and not page.ctx.ops.busy, timeout=WAIT)


def key(qtbot, page, which: Qt.Key) -> None:
    qtbot.keyClick(page.focusWidget() or page.scan.field, which)


def show(qtbot, desk: Desk, page):
    desk.widgets.append(page)
    page.resize(1100, 720)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: page.ready and not page.ctx.ops.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: page.scan.field.hasFocus(), timeout=WAIT)
    return page


def level(c: SyncClient, product_id: str, location_id: str) -> Decimal:
    with reading(c.db) as conn:
        return on_hand(conn, uuid.UUID(product_id), uuid.UUID(location_id))


def moves(c: SyncClient, **equal: object) -> list[dict]:
    table = metadata.tables["stock_move"]
    query = sa.select(table).order_by(table.c.id)
    for column, value in equal.items():
        query = query.where(table.c[column] == (uuid.UUID(value) if isinstance(value, str) and column.endswith("id")
                                                else value))
    with reading(c.db) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def server_level(cluster, tenant, product_id: str, location_id: str) -> Decimal:
    with cluster.tenant_engine(tenant).connect() as conn:
        qty = conn.execute(sa.text("SELECT qty FROM stock_level WHERE product_id = :p AND location_id = :l"),
                           {"p": product_id, "l": location_id}).scalar()
    return Decimal(qty or 0)


def shot(page, name: str) -> None:
    """A screenshot for the record (where the test run keeps them, if it asks)."""
    import os

    folder = os.environ.get("YITI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.grab().save(str(Path(folder) / f"{name}.png"))


def stock(world: World, **levels: tuple[str, str]) -> None:
    """Goods received by the manager without an order (product key → (bin, qty)); both sides synced."""
    lines = [{"id": str(new_id()), "product_id": world.ids[key], "qty": qty, "location_id": world.ids[bin_]}
             for key, (bin_, qty) in levels.items()]
    world.boss.mutate("erp.receipt.post", {"id": str(new_id()), "warehouse_id": world.ids["WH"],
                                           "received_at": dt.datetime.now(dt.UTC).isoformat(), "lines": lines})
    synced(world.boss)
    synced(world.clerk)
