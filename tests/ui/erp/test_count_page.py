"""A clerk counts a bin with the scanner and the keyboard only: scan the bin, F2 starts a blind
count, scan a product (by barcode or SKU), type what the shelf holds + Enter; a washer the sheet
lacks is refused in red and F4 adds it; F8 sends the count to review, which shows expected now,
counted, the variance and its value with the large ones highlighted; F9 posts it and the levels in
the cache (and, after a sync, on the server) equal what was counted. F12 twice cancels a count."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.core.i18n import set_locale
from app.core.ids import new_id
from app.ui.erp.count import CycleCountPage
from app.ui.erp.count_panels import LARGE_BACKGROUND
from app.ui.erp.scan import REFUSED_COLOUR
from app.ui.qtapp import apply_language
from tests.ui.erp.scan_world import BOLT_PCS, WAIT, build, key, level, moves, scan, server_level, shot, show, synced


@pytest.fixture
def world(desk, cluster):
    w = build(desk, cluster, with_order=False)
    ids = w.ids
    for product, bin_, qty in (("BOLT", "A-01", "20"), ("NUT", "A-01", "50"), ("BOLT", "A-02", "5")):
        w.boss.mutate("erp.stock.move", {
            "id": str(new_id()), "product_id": ids[product], "qty": qty, "from_location_id": ids["ADJ"],
            "to_location_id": ids[bin_], "kind": "adjustment", "reason": "opening stock",
            "moved_at": dt.datetime.now(dt.UTC).isoformat()})
    synced(w.boss)
    synced(w.clerk)
    return w


def _page(qtbot, desk, world) -> CycleCountPage:
    return show(qtbot, desk, CycleCountPage(desk.context(world.clerk)))


def _press(qtbot, page, which: Qt.Key) -> None:
    key(qtbot, page, which)
    qtbot.waitUntil(lambda: not page.busy and not page.ctx.ops.busy, timeout=WAIT)


def _row(table, text: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text().startswith(text))


def test_a_clerk_counts_a_bin_by_scanner_reviews_the_variances_and_posts(qtbot, desk, world, cluster):
    ids, c = world.ids, world.clerk
    page = _page(qtbot, desk, world)
    assert page.mode == "start" and page.start.blind.isChecked(), "blind is on by default"

    scan(qtbot, page, "A-01")
    assert page.scan.state == "ok" and "A-01" in page.start.bin_label.text()
    _press(qtbot, page, Qt.Key.Key_F2)
    assert page.mode == "counting" and page.session is not None
    view = page.session.view
    assert view.head.location == "A-01" and view.head.blind and len(view.lines) == 2
    assert page.sheet.columnCount() == 3, "a blind count shows no expected column"

    scan(qtbot, page, BOLT_PCS)
    assert page.scan.state == "ok" and page.session.current is not None
    scan(qtbot, page, "18")
    assert page.scan.state == "ok" and "18" in page.scan.message and page.session.current is None
    scan(qtbot, page, "7")  # no line picked: refused, nothing recorded
    assert page.scan.state == "refused"

    scan(qtbot, page, "WSH-M8")  # on the shelf, not on the sheet: offered with F4, never a dialog
    assert page.scan.state == "refused" and "F4" in page.scan.message
    assert REFUSED_COLOUR in page.scan.result.styleSheet()
    _press(qtbot, page, Qt.Key.Key_F4)
    assert page.scan.state == "ok" and len(page.session.view.lines) == 3
    scan(qtbot, page, "3")
    scan(qtbot, page, "NUT-M8")
    scan(qtbot, page, "50")
    assert page.session.view.counted == 3 and page.scan.field.hasFocus()
    bolt_row = _row(page.sheet, "BOLT-M8")
    assert page.sheet.item(bolt_row, 2).text() == "18"
    shot(page, "count-sheet-en")

    _press(qtbot, page, Qt.Key.Key_F8)
    assert page.mode == "review" and page.session.view.head.state == "review"
    table = page.review
    bolt, washer, nut = (_row(table, sku) for sku in ("BOLT-M8", "WSH-M8", "NUT-M8"))
    assert [table.item(bolt, col).text() for col in (2, 3, 4)] == ["20", "18", "-2"]
    assert table.item(bolt, 5).text() == "-CN¥2.40"
    assert [table.item(washer, col).text() for col in (2, 3, 4)] == ["0", "3", "+3"]
    assert table.item(washer, 0).background().color().name() == LARGE_BACKGROUND, "found stock stands out"
    assert table.item(nut, 4).text() == "—" or table.item(nut, 4).text() == "0"
    assert table.item(nut, 0).background().color().name() != LARGE_BACKGROUND
    shot(page, "count-review-en")

    scan(qtbot, page, "NUT-M8")  # a count in review takes no more scans
    assert page.scan.state == "refused"
    _press(qtbot, page, Qt.Key.Key_F9)
    assert page.posted == view.head.label and page.mode == "start" and page.scan.state == "ok"
    assert page.scan.field.hasFocus()

    assert level(c, ids["BOLT"], ids["A-01"]) == 18 and level(c, ids["WASHER"], ids["A-01"]) == 3
    assert level(c, ids["NUT"], ids["A-01"]) == 50 and level(c, ids["BOLT"], ids["A-02"]) == 5, "other bins untouched"
    counted = moves(c, kind="count")
    assert sorted(Decimal(m["qty"]) for m in counted) == [2, 3]
    assert c.get("stock_count", str(view.head.id))["state"] == "posted"  # type: ignore[index]
    synced(c)
    assert server_level(cluster, desk.tenant, ids["BOLT"], ids["A-01"]) == 18
    assert server_level(cluster, desk.tenant, ids["WASHER"], ids["A-01"]) == 3


def test_esc_drops_the_line_and_f12_twice_cancels_the_count(qtbot, desk, world):
    ids, c = world.ids, world.clerk
    page = _page(qtbot, desk, world)
    _press(qtbot, page, Qt.Key.Key_F2)  # no bin scanned: the whole warehouse
    assert page.mode == "counting" and len(page.session.view.lines) == 3
    scan(qtbot, page, "NUT-M8")  # on one bin only: no bin scan needed
    assert page.session.current is not None and page.session.current.location == "A-01"
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Escape)
    assert page.session.current is None and page.scan.state == "ok"
    scan(qtbot, page, "BOLT-M8")  # on two bins: which one?
    assert page.scan.state == "refused"
    scan(qtbot, page, "A-02")
    scan(qtbot, page, "BOLT-M8")
    assert page.session.current is not None and page.session.current.location == "A-02"
    count_id = page.session.view.head.id

    qtbot.keyClick(page.scan.field, Qt.Key.Key_Escape)  # drops the line
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Escape)  # nothing current: back to the start, the count stays open
    qtbot.waitUntil(lambda: page.mode == "start" and page.start.open_counts.count() == 1, timeout=WAIT)
    assert page.scan.field.hasFocus()
    for _tab in range(8):  # Tab on to the open counts, as a keyboard user does
        if page.start.open_counts.hasFocus():
            break
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Tab)
    assert page.start.open_counts.hasFocus()
    qtbot.keyClick(page.start.open_counts, Qt.Key.Key_Down)
    qtbot.keyClick(page.start.open_counts, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.mode == "counting" and not page.ctx.ops.busy, timeout=WAIT)
    assert page.session.view.head.id == count_id and page.scan.field.hasFocus()

    _press(qtbot, page, Qt.Key.Key_F12)
    assert page.scan.state == "refused" and "F12" in page.scan.message and page.mode == "counting"
    _press(qtbot, page, Qt.Key.Key_F12)
    assert page.mode == "start" and c.get("stock_count", str(count_id))["state"] == "cancelled"  # type: ignore[index]
    assert level(c, ids["BOLT"], ids["A-02"]) == 5 and moves(c, kind="count") == []


def test_the_count_screen_in_chinese(qtbot, desk, world):
    apply_language("zh_CN")
    set_locale("zh_CN")
    page = _page(qtbot, desk, world)
    shot(page, "count-start-zh")
    scan(qtbot, page, "A-01")
    _press(qtbot, page, Qt.Key.Key_F2)
    scan(qtbot, page, "NUT-M8")
    scan(qtbot, page, "1250")
    scan(qtbot, page, "WSH-M8")
    shot(page, "count-sheet-zh")
    _press(qtbot, page, Qt.Key.Key_F8)
    assert page.mode == "review"
    shot(page, "count-review-zh")
    assert uuid.UUID(str(page.session.view.head.id))
