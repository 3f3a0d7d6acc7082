"""Pick & ship by scanner, keyboard only: a manager stocks the shelves, a rep confirms an order,
the warehouse's desktop syncs the delivery, scans its number, picks by barcode and SKU (a box's
barcode counts twelve), is refused a product not on the delivery and an over-pick, and ships
short with a backorder; the cache then holds the shipped delivery, the backorder, the moves and
the levels. Every desktop is a real cache syncing with the in-process server."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from app.core.ids import new_id
from app.core.schema import delivery, delivery_line, stock_level, stock_move
from app.erp.sales import delivery_id_for
from app.erp.shipping import backorder_id_for
from app.erp.stock import level_id
from app.sync import SyncClient
from app.sync.cache import reading
from app.ui.erp.pick_reads import Bin, PickSheet, SheetLine
from app.ui.erp.pick_ship import LIST, PICK, PickShipPage
from app.ui.erp.picking import Picking
from app.ui.qtapp import apply_language
from tests.ui.desk import Desk

WAIT = 20_000
BOLT_EACH, BOLT_BOX = "6901234567892", "16901234567899"


def _seed(desk: Desk) -> dict[str, str]:
    """A warehouse with two bins, three products (bolts also by the box of 12), 15 bolts in A-01,
    10 nuts in A-02 and 2 in A-01; a customer's order for 20 bolts and 5 nuts, confirmed."""
    boss = desk.client("boss", "manager")
    ids = {name: str(new_id()) for name in ("WH", "A-01", "A-02", "SUP", "BOLT", "NUT", "WASHER", "SHOP", "ORDER")}
    boss.mutate("erp.warehouse.create", {"id": ids["WH"], "code": "SH", "name": "上海仓"})
    for code in ("A-01", "A-02"):
        boss.mutate("erp.location.create", {"id": ids[code], "code": code, "name": f"货位 {code}",
                                            "warehouse_id": ids["WH"]})
    boss.mutate("erp.location.create", {"id": ids["SUP"], "code": "SUPPLIER", "name": "Suppliers",
                                        "kind": "supplier"})
    products = (("BOLT", "B-100", "六角螺栓 M8"), ("NUT", "N-200", "螺母 M8"), ("WASHER", "W-300", "垫圈 M8"))
    for key, sku, name in products:
        boss.mutate("erp.product.create", {"id": ids[key], "sku": sku, "name": name, "uom": "pcs",
                                           "list_price": "2.5000", "barcodes": [BOLT_EACH] if key == "BOLT" else []})
    boss.mutate("erp.product.unit.set", {"product_id": ids["BOLT"], "uom": "box", "factor": "12"})
    boss.mutate("erp.product.barcode.add", {"product_id": ids["BOLT"], "barcode": BOLT_BOX, "uom": "box"})
    now = dt.datetime.now(dt.UTC).isoformat()
    for product, qty, where in (("BOLT", "15", "A-01"), ("NUT", "10", "A-02"), ("NUT", "2", "A-01")):
        boss.mutate("erp.stock.move", {"id": str(new_id()), "product_id": ids[product], "qty": qty,
                                       "from_location_id": ids["SUP"], "to_location_id": ids[where],
                                       "kind": "receipt", "moved_at": now, "unit_cost": "1.0000"})
    assert boss.sync().ok and boss.rejected() == []

    rep = desk.client("rep", "sales_rep")
    assert rep.sync().ok
    rep.mutate("crm.customer.create", {"id": ids["SHOP"], "name": "上海华联超市"})
    rep.mutate("erp.order.create", {
        "id": ids["ORDER"], "party_id": ids["SHOP"], "order_date": dt.date.today().isoformat(),
        "lines": [{"id": str(new_id()), "product_id": ids["BOLT"], "qty": "20"},
                  {"id": str(new_id()), "product_id": ids["NUT"], "qty": "5"}]})
    rep.mutate("erp.order.confirm", {"id": ids["ORDER"]})
    assert rep.sync().ok and rep.rejected() == []
    return ids


def _scan(qtbot, page: PickShipPage, text: str) -> None:
    """A keyboard-wedge scan: the code typed, then Enter; waits until the page has dealt with it."""
    qtbot.keyClicks(page.scan.field, text)
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.idle, timeout=WAIT)


def _key(qtbot, page: PickShipPage, key: Qt.Key) -> None:
    qtbot.keyClick(page.scan.field, key)
    qtbot.waitUntil(lambda: page.idle, timeout=WAIT)


def _picked(page: PickShipPage) -> list[Decimal]:
    assert page.picking is not None
    return [page.picking.picked(i) for i in range(len(page.picking.sheet.lines))]


def _page(qtbot, desk: Desk, shipper: SyncClient) -> PickShipPage:
    page = PickShipPage(desk.context(shipper))
    qtbot.addWidget(page)
    desk.widgets.append(page)
    page.resize(1100, 720)
    page.show()
    qtbot.waitUntil(lambda: bool(page.deliveries.items), timeout=WAIT)
    return page


def _shot(page: PickShipPage, name: str) -> None:
    """A screenshot for the record, where the run asks for them (YITI_SHOTS)."""
    folder = os.environ.get("YITI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.mark.parametrize("role", [
    "manager",
    "clerk",
])
def test_a_delivery_is_picked_by_scanner_and_shipped_short_with_a_backorder(qtbot, desk, role):
    ids = _seed(desk)
    shipper = desk.client("picker", role)
    assert shipper.sync().ok
    first = delivery_id_for(uuid.UUID(ids["ORDER"]))
    with reading(shipper.db) as conn:
        number = conn.execute(sa.select(delivery.c.number).where(delivery.c.id == first)).scalar_one()
    assert number and number.startswith("DL-")

    page = _page(qtbot, desk, shipper)
    [listed] = page.deliveries.items
    assert (listed.label, listed.ship_to, listed.lines, listed.backorder) == (number, "上海华联超市", 2, False)
    _shot(page, f"pick_ship_list_{role}")

    _scan(qtbot, page, number)
    assert page.stack.currentIndex() == PICK
    assert page.picking is not None
    bolt, nut = page.picking.sheet.lines  # by SKU: B-100, N-200
    assert (bolt.sku, bolt.qty, bolt.bin and bolt.bin.code) == ("B-100", Decimal(20), "A-01")
    assert (nut.sku, nut.qty, nut.bin and nut.bin.code) == ("N-200", Decimal(5), "A-02")  # the bin with most

    _scan(qtbot, page, BOLT_EACH)
    _scan(qtbot, page, BOLT_BOX)  # a box counts its factor
    assert _picked(page) == [Decimal(13), Decimal(0)]
    assert page.scan.state == "ok"
    _scan(qtbot, page, "16")  # a typed number sets the current line
    _scan(qtbot, page, "-1")  # with a sign it changes it
    assert _picked(page) == [Decimal(15), Decimal(0)]

    _scan(qtbot, page, "W-300")
    assert page.scan.state == "refused" and "not on this delivery" in page.scan.message
    _scan(qtbot, page, BOLT_BOX)  # 15 + 12 > 20
    assert page.scan.state == "refused" and "only 20 to ship" in page.scan.message
    assert page.lines.refused == 0
    assert _picked(page) == [Decimal(15), Decimal(0)]

    _scan(qtbot, page, "N-200")  # by SKU
    _scan(qtbot, page, "5")
    assert _picked(page) == [Decimal(15), Decimal(5)]
    assert page.picking.is_done(1) and not page.picking.is_done(0)
    _shot(page, f"pick_ship_picking_{role}")

    _key(qtbot, page, Qt.Key.Key_F9)
    assert page.choice.isVisible() and page.stack.currentIndex() == PICK
    _shot(page, f"pick_ship_short_{role}")
    _key(qtbot, page, Qt.Key.Key_B)
    assert page.last_shipped is not None, page.scan.message
    assert page.stack.currentIndex() == LIST
    backorder = backorder_id_for(first)
    assert page.last_shipped.backorder == f"DL-*{backorder.hex[-6:].upper()}"  # numbered at the next sync
    assert "The rest is on backorder" in page.shipped_note.text()
    qtbot.waitUntil(lambda: [d.id for d in page.deliveries.items] == [backorder], timeout=WAIT)
    assert page.deliveries.items[0].backorder
    _shot(page, f"pick_ship_shipped_{role}")

    with reading(shipper.db) as conn:
        assert conn.execute(sa.select(delivery.c.state).where(delivery.c.id == first)).scalar_one() == "done"
        rest = conn.execute(sa.select(delivery.c.state, delivery.c.backorder_of)
                            .where(delivery.c.id == backorder)).one()
        assert tuple(rest) == ("ready", first)
        assert conn.execute(sa.select(delivery_line.c.product_id, delivery_line.c.qty)
                            .where(delivery_line.c.delivery_id == backorder)).all() == [
            (uuid.UUID(ids["BOLT"]), Decimal(5))]
        moves = conn.execute(sa.select(stock_move.c.product_id, stock_move.c.qty, stock_move.c.from_location_id,
                                       stock_move.c.kind).where(stock_move.c.document_id == first)).all()
        assert sorted(moves) == sorted([(uuid.UUID(ids["BOLT"]), Decimal(15), uuid.UUID(ids["A-01"]), "delivery"),
                                        (uuid.UUID(ids["NUT"]), Decimal(5), uuid.UUID(ids["A-02"]), "delivery")])

        def level(product: str, bin_: str) -> Decimal:
            return conn.execute(sa.select(stock_level.c.qty).where(
                stock_level.c.id == level_id(uuid.UUID(ids[product]), uuid.UUID(ids[bin_])))).scalar_one()

        assert (level("BOLT", "A-01"), level("NUT", "A-02"), level("NUT", "A-01")) == (0, 5, 2)

    # the server agrees, and numbers the backorder
    assert shipper.sync().ok and shipper.rejected() == []
    with reading(shipper.db) as conn:
        numbered = conn.execute(sa.select(delivery.c.number).where(delivery.c.id == backorder)).scalar_one()
    assert numbered and numbered.startswith("DL-") and numbered != number


def test_keys_move_through_the_list_and_close_a_delivery_short_in_chinese(qtbot, desk):
    ids = _seed(desk)
    shipper = desk.client("boss2", "manager")
    assert shipper.sync().ok
    apply_language("zh_CN")
    page = _page(qtbot, desk, shipper)
    _key(qtbot, page, Qt.Key.Key_Down)
    _key(qtbot, page, Qt.Key.Key_Return)  # Enter on the selected delivery opens it
    assert page.stack.currentIndex() == PICK
    _scan(qtbot, page, "A-02")  # picks now come from A-02
    _scan(qtbot, page, "N-200")
    assert page.picking is not None and page.picking.taken[1] == {uuid.UUID(ids["A-02"]): Decimal(1)}
    _scan(qtbot, page, "9")
    assert page.scan.state == "refused"  # only 5 to ship
    _scan(qtbot, page, "NOPE-1")
    assert page.scan.state == "refused"
    _shot(page, "pick_ship_picking_zh_CN")
    _key(qtbot, page, Qt.Key.Key_F9)
    assert page.choice.isVisible()
    _shot(page, "pick_ship_short_zh_CN")
    _key(qtbot, page, Qt.Key.Key_Escape)  # keep picking
    assert not page.choice.isVisible() and page.stack.currentIndex() == PICK
    _key(qtbot, page, Qt.Key.Key_F9)
    _key(qtbot, page, Qt.Key.Key_C)  # close short: no backorder
    assert page.last_shipped is not None and page.last_shipped.backorder is None
    first = delivery_id_for(uuid.UUID(ids["ORDER"]))
    with reading(shipper.db) as conn:
        assert conn.execute(sa.select(delivery.c.state).where(delivery.c.id == first)).scalar_one() == "done"
        assert conn.execute(sa.select(sa.func.count()).select_from(delivery)
                            .where(delivery.c.backorder_of == first)).scalar_one() == 0
        assert conn.execute(sa.select(stock_move.c.qty, stock_move.c.from_location_id)
                            .where(stock_move.c.document_id == first)).all() == [(Decimal(1), uuid.UUID(ids["A-02"]))]
    qtbot.waitUntil(lambda: not page.deliveries.items, timeout=WAIT)
    assert page.empty.isVisible()
    _shot(page, "pick_ship_shipped_zh_CN")

    # an order confirmed on this desktop and not synced yet: its delivery shows a provisional label
    order = str(new_id())
    shipper.mutate("erp.order.create", {"id": order, "party_id": ids["SHOP"], "order_date": dt.date.today().isoformat(),
                                        "lines": [{"id": str(new_id()), "product_id": ids["NUT"], "qty": "2"}]})
    shipper.mutate("erp.order.confirm", {"id": order})
    page.load()
    qtbot.waitUntil(lambda: bool(page.deliveries.items), timeout=WAIT)
    label = page.deliveries.items[0].label
    assert label == f"DL-*{delivery_id_for(uuid.UUID(order)).hex[-6:].upper()}"
    _scan(qtbot, page, label)
    assert page.stack.currentIndex() == PICK and page.picking is not None
    assert page.picking.sheet.id == delivery_id_for(uuid.UUID(order))


def _sheet() -> PickSheet:
    """A delivery of 20 bolts on two lines (12 + 8) and 5 nuts, from warehouse SH."""
    warehouse = uuid.uuid4()
    a01, a02 = Bin(uuid.uuid4(), "A-01", warehouse), Bin(uuid.uuid4(), "A-02", warehouse)
    bolt, nut = uuid.uuid4(), uuid.uuid4()
    lines = [SheetLine(uuid.uuid4(), bolt, "B-100", "六角螺栓 M8", "pcs", Decimal(12), a01, Decimal(30)),
             SheetLine(uuid.uuid4(), bolt, "B-100", "六角螺栓 M8", "pcs", Decimal(8), a01, Decimal(30)),
             SheetLine(uuid.uuid4(), nut, "N-200", "螺母 M8", "pcs", Decimal(5), a02, Decimal(9))]
    return PickSheet(uuid.uuid4(), "DL-2026-000007", "上海华联超市", warehouse, "上海仓", None, None, lines)


def test_scans_fill_the_first_line_with_room_and_a_scanned_bin_becomes_the_source() -> None:
    picking = Picking(_sheet())
    bolt, nut = picking.sheet.lines[0].product_id, picking.sheet.lines[2].product_id
    a01, a02 = picking.sheet.lines[0].bin, picking.sheet.lines[2].bin
    assert a01 is not None and a02 is not None
    assert picking.scan_product(bolt, Decimal(12), "bolt").ok
    assert picking.scan_product(bolt, Decimal(1), "bolt").line == 1  # the first line is full
    assert not picking.scan_product(bolt, Decimal(12), "bolt").ok  # no line has room for a box
    assert not picking.scan_product(uuid.uuid4(), Decimal(1), "washer").ok
    assert picking.scan_product(nut, Decimal(1), "nut").ok  # from its suggested bin, A-02
    assert not picking.set_bin(Bin(uuid.uuid4(), "B-09", uuid.uuid4())).ok  # another warehouse
    assert picking.set_bin(a01).ok
    assert picking.scan_product(nut, Decimal(1), "nut").ok
    assert picking.taken[2] == {a02.id: Decimal(1), a01.id: Decimal(1)}
    assert len(picking.picks()) == 4
    assert not picking.set_qty(Decimal(6)).ok  # only 5 to ship
    assert picking.set_qty(Decimal("2.5")).ok and picking.taken[2] == {a01.id: Decimal("2.5")}
    assert [picking.picked(i) for i in range(3)] == [Decimal(12), Decimal(1), Decimal("2.5")]
    assert picking.short() == [1, 2] and picking.shipped_lines()[0] == "B-100 六角螺栓 M8 × 12 pcs"
