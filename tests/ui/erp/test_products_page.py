"""The Products page against a real cache synced with the server: a manager sets up the catalogue,
a clerk moves stock; the clerk finds products by SKU, pinyin initials and a scanned barcode, sees
stock per location and the stock card's running balance, creates a product through the dialog
(units and barcodes included), and is told loudly of negative stock after an over-delivery."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.ids import new_id
from app.core.schema import product, product_barcode, product_uom
from app.erp import stock_reads
from app.sync import outbox
from app.sync.cache import reading
from app.sync.codec import loads
from app.ui.erp import product_reads
from app.ui.erp.product_detail import prepare
from app.ui.erp.products import ProductsPage
from app.ui.qtapp import apply_language
from tests.ui.desk import Desk

WAIT = 20_000
BARCODE = "6901234567892"
T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


def _shot(widget, name: str) -> None:
    """A screenshot for the record, where the run asks for them (YITI_SHOTS)."""
    folder = os.environ.get("YITI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _move(client, ids, product: str, qty: str, source: str, target: str, kind: str, at: dt.datetime,
          cost: str | None = None) -> dict:
    args = {"id": str(new_id()), "product_id": ids[product], "qty": qty, "from_location_id": ids[source],
            "to_location_id": ids[target], "kind": kind, "moved_at": at.isoformat(), "reference": f"{kind[:3]}-1"}
    if cost is not None:
        args["unit_cost"] = cost
    return args


@pytest.fixture
def world(desk: Desk):
    """A warehouse with two bins; bolts (with a barcode), nuts and a Latin-named wrench; the clerk
    received 100 + 50 bolts, moved 30 from A-01 to A-02 and delivered 20 from A-01."""
    boss = desk.client("boss", "manager")
    ids = {k: str(new_id()) for k in ("WH", "A-01", "A-02", "SUP", "CUST", "BOLT", "NUT", "WRENCH")}
    boss.mutate("erp.warehouse.create", {"id": ids["WH"], "code": "SH", "name": "上海仓"})
    for code in ("A-01", "A-02"):
        boss.mutate("erp.location.create", {"id": ids[code], "code": code, "name": f"货位 {code}",
                                            "warehouse_id": ids["WH"]})
    boss.mutate("erp.location.create", {"id": ids["SUP"], "code": "SUPPLIER", "name": "Suppliers", "kind": "supplier"})
    boss.mutate("erp.location.create", {"id": ids["CUST"], "code": "CUSTOMER", "name": "Customers", "kind": "customer"})
    boss.mutate("erp.product.create", {"id": ids["BOLT"], "sku": "B-100", "name": "六角螺栓 M8", "list_price": "2.5",
                                       "standard_cost": "1.2", "reorder_point": "200", "safety_stock": "50",
                                       "lead_time_days": 7, "abc_class": "A", "barcodes": [BARCODE]})
    boss.mutate("erp.product.unit.set", {"product_id": ids["BOLT"], "uom": "box", "factor": "12"})
    boss.mutate("erp.product.create", {"id": ids["NUT"], "sku": "N-200", "name": "螺母 M8", "list_price": "0.8"})
    boss.mutate("erp.product.create", {"id": ids["WRENCH"], "sku": "T-300", "name": "Hex wrench 13mm",
                                       "list_price": "18.5"})
    assert boss.sync().ok and boss.rejected() == []
    clerk = desk.client("clerk", "clerk")
    assert clerk.sync().ok
    for i, (source, target, kind, qty, cost) in enumerate((
            ("SUP", "A-01", "receipt", "100", "1.2"), ("SUP", "A-02", "receipt", "50", "1.5"),
            ("A-01", "A-02", "transfer", "30", None), ("A-01", "CUST", "delivery", "20", None))):
        clerk.mutate("erp.stock.move", _move(clerk, ids, "BOLT", qty, source, target, kind,
                                             T0 + dt.timedelta(hours=i), cost))
    assert clerk.sync().ok and clerk.rejected() == []
    return clerk, ids


def _page(qtbot, desk: Desk, client) -> ProductsPage:
    page = ProductsPage(desk.context(client))
    qtbot.addWidget(page)
    desk.widgets.append(page)
    page.resize(1400, 800)
    page.show()
    qtbot.waitUntil(lambda: page.model.loaded and page.model.rowCount() > 0, timeout=WAIT)
    return page


def _skus(qtbot, page: ProductsPage) -> list[str]:
    model = page.model

    def arrived() -> bool:
        for row in range(model.rowCount()):
            model.data(model.index(row, 0))
        return all(model.row_data(r) is not None for r in range(model.rowCount()))

    qtbot.waitUntil(arrived, timeout=WAIT)
    return [model.row_data(r)["sku"] for r in range(model.rowCount())]


def _search(qtbot, page: ProductsPage, text: str, n: int, typed: bool = True) -> list[str]:
    page.search.clear()
    if typed:
        qtbot.keyClicks(page.search, text)
    else:
        page.search.setText(text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == n and not page.debounce.isActive(), timeout=WAIT)
    page.ctx.ops.wait()
    qtbot.wait(20)
    return _skus(qtbot, page)


def _detail_of(qtbot, page: ProductsPage, sku: str):
    qtbot.waitUntil(lambda: page.detail.detail is not None and page.detail.detail.values["sku"] == sku, timeout=WAIT)
    return page.detail


def test_search_by_sku_pinyin_initials_and_scanned_barcode(qtbot, desk, world):
    clerk, _ids = world
    page = _page(qtbot, desk, clerk)
    assert sorted(_skus(qtbot, page)) == ["B-100", "N-200", "T-300"]
    assert page.count.text() == "3 products"
    assert page.search.hasFocus() or page.focusProxy() is page.search

    assert _search(qtbot, page, "b-100", 1) == ["B-100"]
    assert _search(qtbot, page, "ljls", 1) == ["B-100"]  # 六角螺栓: initials through the search index
    assert _search(qtbot, page, "lm", 1) == ["N-200"]  # 螺母: two letters, checked row by row
    assert _search(qtbot, page, "luomu", 1) == ["N-200"]
    assert _search(qtbot, page, "wrench", 1) == ["T-300"]
    assert _search(qtbot, page, "螺栓", 1, typed=False) == ["B-100"]
    assert _search(qtbot, page, "M8", 2) == ["B-100", "N-200"]
    # a scanner types the code and Enter: the product is found and shown
    assert _search(qtbot, page, BARCODE, 1) == ["B-100"]
    assert _detail_of(qtbot, page, "B-100").field_text("barcodes") == BARCODE
    qtbot.keyClicks(page.search, "N-200")  # the next scan replaces the last one
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert _detail_of(qtbot, page, "N-200") and page.search.text() == "N-200"
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # into the list and back, keyboard only
    assert page.view.hasFocus() or QApplication.focusWidget() is page.view
    qtbot.keyClick(page.view, Qt.Key.Key_Escape)
    assert page.search.selectedText() == "N-200"
    assert _search(qtbot, page, "nothing-like-this", 0) == []
    assert page.empty.isVisibleTo(page) and "nothing-like-this" in page.empty.text()


def test_detail_shows_levels_and_the_running_balance_of_real_moves(qtbot, desk, world):
    clerk, ids = world
    page = _page(qtbot, desk, clerk)
    _search(qtbot, page, "B-100", 1)
    pane = _detail_of(qtbot, page, "B-100")
    assert pane.level_cells() == [["A-01", "上海仓", "50"], ["A-02", "上海仓", "80"]]
    card = pane.card_cells()
    assert [row[1] for row in card] == ["Delivery", "Transfer", "Receipt", "Receipt"]
    assert [row[2] for row in card] == ["-20", "0", "+50", "+100"]
    assert [row[3] for row in card] == ["130", "150", "150", "100"]
    assert card[0][4] == "A-01 → CUSTOMER"
    assert pane.field_text("stock") == "130 / 0 / 130"
    assert pane.field_text("units") == "pcs; 1 box = 12 pcs"
    assert pane.field_text("avg_cost") == "CN¥1.30"  # (100 × 1.2 + 50 × 1.5) / 150
    assert pane.field_text("supplier") == "—"
    assert pane.card_footer.text() == "4 moves"
    with reading(clerk.db) as conn:  # what the pane shows is what the cache holds
        assert stock_reads.on_hand(conn, uuid.UUID(ids["BOLT"])) == Decimal(130)
    row = page.model.row_of(ids["BOLT"])
    assert row is not None and page.model.row_data(row)["on_hand"] == Decimal(130)


@pytest.mark.parametrize("n", [product_reads.CARD_LIMIT + 100, pytest.param(5000, marks=pytest.mark.slow)])
def test_the_stock_card_is_cut_at_the_newest_moves_and_says_so(qtbot, desk, world, n):
    clerk, ids = world
    # queued as the clerk's client queues them, in one transaction to keep the test quick
    with clerk.db.begin() as conn:
        for i in range(n):
            version, args = outbox.validate("erp.stock.move", _move(
                clerk, ids, "NUT", "1", "SUP", "A-01", "receipt", T0 + dt.timedelta(days=1, minutes=i), "0.3"))
            outbox.record(conn, clerk.user_id(), clerk.clock(), "erp.stock.move", args, version)
    page = _page(qtbot, desk, clerk)
    _search(qtbot, page, "N-200", 1)
    pane = _detail_of(qtbot, page, "N-200")
    started = time.perf_counter()  # what selecting the product costs: the read (pool), then the GUI's part
    with reading(clerk.db) as conn:
        shown = prepare(product_reads.product_detail(conn, uuid.UUID(ids["NUT"])))
    read = time.perf_counter() - started
    started = time.perf_counter()
    pane.show_detail(shown)
    painted = time.perf_counter() - started
    card = pane.card_cells()
    assert len(card) == product_reads.CARD_LIMIT
    assert card[0][3] == fmt_number(n) and card[-1][3] == fmt_number(n - product_reads.CARD_LIMIT + 1)
    assert "newest 500" in pane.card_footer.text()
    assert read < 1.0 and painted < 0.05, (read, painted)


def fmt_number(value: int) -> str:
    from app.core import fmt

    return fmt.number(value)


def test_creating_a_product_through_the_dialog_lands_in_the_cache(qtbot, desk, world):
    clerk, _ids = world
    page = _page(qtbot, desk, clerk)
    dialog = page.new_product()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=WAIT)
    dialog.sku.setText("S-900")
    dialog.name.setText("不锈钢垫片")
    dialog.numbers["list_price"].setText("abc")
    dialog.ok_button.click()
    assert dialog.error_of("list_price") == "This value is not valid."

    dialog.numbers["list_price"].setText("3.5")
    dialog.sku.setText("B-100")  # taken, and a barcode the bolts carry: refused before anything is queued
    dialog.barcodes.add_row(BARCODE, "")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error_of("sku")), timeout=WAIT)
    assert dialog.error_of("sku") == "Another product has this SKU: 六角螺栓 M8."
    assert dialog.error_of("barcodes") == f"Barcode {BARCODE} belongs to 六角螺栓 M8 already."
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    dialog.barcodes.table.selectRow(0)
    dialog.barcodes.remove_selected()
    dialog.sku.setText("S-900")
    dialog.numbers["reorder_point"].setText("10")
    dialog.units.add_row("box", "100")
    dialog.barcodes.add_row("6900000000009", "box")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    with reading(clerk.db) as conn:
        row = conn.execute(sa.select(product).where(product.c.sku == "S-900")).mappings().one()
        assert row["name_initials"] == "bxgdp" and row["list_price"] == Decimal("3.5")
        assert row["reorder_point"] == Decimal(10)
        assert conn.execute(sa.select(product_uom.c.factor).where(product_uom.c.product_id == row["id"])
                            ).scalar_one() == Decimal(100)
        assert conn.execute(sa.select(product_barcode.c.uom).where(product_barcode.c.product_id == row["id"])
                            ).scalar_one() == "box"
        queued = [name for (name,) in conn.execute(sa.text("SELECT name FROM outbox ORDER BY id"))]
    # all the clerk has queued: the refused attempts queued nothing
    assert queued == ["erp.product.create", "erp.product.unit.set", "erp.product.barcode.add"]
    assert _search(qtbot, page, "bxg", 1) == ["S-900"]
    pane = _detail_of(qtbot, page, "S-900")
    assert pane.field_text("barcodes") == "6900000000009 (box)"

    edit = page.edit_product()
    assert edit is not None
    qtbot.addWidget(edit)
    edit.name.setText("不锈钢垫片 M8")
    edit.barcodes.table.selectRow(0)
    edit.barcodes.remove_selected()
    edit.ok_button.click()
    qtbot.waitUntil(lambda: not edit.isVisible(), timeout=WAIT)
    with reading(clerk.db) as conn:
        last = conn.execute(sa.text("SELECT name, args FROM outbox ORDER BY id DESC LIMIT 2")).all()
    assert [name for name, _a in last] == ["erp.product.barcode.remove", "erp.product.update"]
    patch = loads(last[1][1])
    assert patch["name"] == {"base": "不锈钢垫片", "new": "不锈钢垫片 M8"}
    assert {k for k, v in patch.items() if v is not None} == {"id", "name"}  # 3.5 shown for 3.5000: no change
    assert clerk.sync().ok and clerk.rejected() == []


def test_negative_banner_appears_after_an_over_delivery(qtbot, desk, world):
    clerk, ids = world
    page = _page(qtbot, desk, clerk)
    page.ctx.ops.wait()
    qtbot.wait(50)
    assert not page.banner.isVisibleTo(page)
    _shot(page, "products-en")

    over = _move(clerk, ids, "BOLT", "80", "A-01", "CUST", "delivery", T0 + dt.timedelta(days=2))
    done = []
    page.ctx.session.mutate("erp.stock.move", over).success(done.append).run()
    qtbot.waitUntil(lambda: page.banner.isVisibleTo(page), timeout=WAIT)
    assert "B-100" in page.banner_text.text() and "A-01: -30" in page.banner_text.text()
    with reading(clerk.db) as conn:
        assert [(n.location, n.qty) for n in stock_reads.negative_levels(conn)] == [("A-01", Decimal(-30))]
    qtbot.mouseClick(page.show_negative, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    assert _skus(qtbot, page) == ["B-100"]
    pane = _detail_of(qtbot, page, "B-100")
    qtbot.waitUntil(lambda: pane.field_text("stock") == "50 / 0 / 50", timeout=WAIT)
    assert pane.level_cells()[0] == ["A-01", "上海仓", "-30"]
    _shot(page, "products-negative-en")
    assert clerk.sync().ok and clerk.rejected() == []  # the server takes it too: flagged, not refused


def test_a_rep_sees_prices_and_stock_but_cannot_edit(qtbot, desk, world):
    rep = desk.client("rep", "sales_rep")
    assert rep.sync().ok
    page = _page(qtbot, desk, rep)
    assert not page.new_button.isVisibleTo(page) and not page.edit_button.isVisibleTo(page)
    _search(qtbot, page, "B-100", 1)
    assert page.model.data(page.model.index(0, 4)) == "CN¥2.50"
    assert _detail_of(qtbot, page, "B-100").field_text("stock") == "130 / 0 / 130"


def test_chinese_screens(qtbot, desk, world):
    clerk, _ids = world
    apply_language("zh_CN")
    page = _page(qtbot, desk, clerk)
    assert page.count.text().endswith("个产品") or "3" in page.count.text()
    _search(qtbot, page, "B-100", 1)
    pane = _detail_of(qtbot, page, "B-100")
    assert pane.card_cells()[0][1] == "发货"
    _shot(page, "products-zh_CN")
    dialog = page.edit_product()
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=WAIT)
    dialog.resize(dialog.sizeHint())
    _shot(dialog, "product-dialog-zh_CN")
    dialog.reject()
