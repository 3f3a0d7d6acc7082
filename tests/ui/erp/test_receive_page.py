"""A clerk receives goods with a scanner and the keyboard only: against a purchase order (boxes of
12 count 12, the order's 10 % tolerance refuses a third box, a product not on the order and an
unknown code are refused in red), into a scanned bin, a typed quantity; F9 posts one receipt and
the stock lands in the cache and, after a sync, on the server. Then a receipt without an order
into the warehouse's first bin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.core.i18n import set_locale
from app.ui.erp.receive import ReceivePage
from app.ui.erp.scan import REFUSED_COLOUR
from app.ui.qtapp import apply_language
from tests.ui.erp.scan_world import BOLT_BOX, WAIT, build, level, moves, scan, server_level, shot, show, synced


@pytest.fixture
def world(desk, cluster):
    return build(desk, cluster)


def _page(qtbot, desk, world) -> ReceivePage:
    return show(qtbot, desk, ReceivePage(desk.context(world.clerk)))


def test_receiving_an_order_by_scanner_posts_one_receipt_within_the_tolerance(qtbot, desk, world, cluster):
    ids = world.ids
    page = _page(qtbot, desk, world)
    assert "A-01" in page.bin_info.text(), "the warehouse's first bin is where goods go until a bin is scanned"

    scan(qtbot, page, world.order_number)
    assert page.scan.state == "ok" and page.draft.order is not None
    assert page.table.rowCount() == 2  # both lines open: ordered / received / left
    assert page.table.item(0, 1).text() == "24" and page.table.item(0, 4).text() == "24"

    scan(qtbot, page, BOLT_BOX)
    scan(qtbot, page, BOLT_BOX)
    assert page.scan.state == "ok" and page.table.item(0, 3).text() == "24" and page.table.item(0, 4).text() == "0"
    scan(qtbot, page, BOLT_BOX)  # 36 would pass the 26.4 the 10 % tolerance allows
    assert page.scan.state == "refused" and REFUSED_COLOUR in page.scan.result.styleSheet()
    assert "26.4" not in page.scan.message and "2.4" in page.scan.message
    assert page.table.item(0, 3).text() == "24", "a refused scan adds nothing"
    scan(qtbot, page, "WSH-M8")
    assert page.scan.state == "refused" and "WSH-M8" in page.scan.message
    scan(qtbot, page, "NO-SUCH-CODE")
    assert page.scan.state == "refused" and "NO-SUCH-CODE" in page.scan.message
    assert page.scan.field.hasFocus() and page.scan.field.text() == ""

    scan(qtbot, page, "A-02")  # the nuts go to the other bin
    assert page.scan.state == "ok" and "A-02" in page.bin_info.text()
    scan(qtbot, page, "NUT-M8")
    scan(qtbot, page, "12")  # typed: 12 would pass the 11 allowed
    assert page.scan.state == "refused"
    scan(qtbot, page, "6")
    assert page.scan.state == "ok" and page.table.item(1, 3).text() == "6" and page.table.item(1, 4).text() == "4"
    shot(page, "receive-order-en")

    qtbot.keyClick(page.scan.field, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.posted is not None and not page.ctx.ops.busy, timeout=WAIT)
    assert page.scan.state == "ok" and page.posted in page.scan.message
    assert page.draft.order is None and page.draft.lines == [] and page.table.rowCount() == 0
    assert page.scan.field.hasFocus()

    c = world.clerk
    assert level(c, ids["BOLT"], ids["A-01"]) == 24 and level(c, ids["NUT"], ids["A-02"]) == 6
    received = moves(c, kind="receipt")
    assert sorted(Decimal(m["qty"]) for m in received) == [6, 24]
    assert c.get("purchase_order_line", ids["PO-BOLT"])["qty_received"] == 24  # type: ignore[index]
    synced(c)
    assert server_level(cluster, desk.tenant, ids["BOLT"], ids["A-01"]) == 24
    assert server_level(cluster, desk.tenant, ids["NUT"], ids["A-02"]) == 6

    # the next receipt on the same order: the order shows what came in, and what is left
    scan(qtbot, page, world.order_number)
    assert page.table.rowCount() == 1 and page.table.item(0, 2).text() == "6"


def test_a_receipt_without_an_order_goes_to_the_first_bin_and_esc_drops_the_line(qtbot, desk, world):
    ids = world.ids
    page = _page(qtbot, desk, world)
    qtbot.keyClick(page.scan.field, Qt.Key.Key_F9)  # nothing scanned: said in red, nothing posted
    assert page.scan.state == "refused" and page.posted is None

    scan(qtbot, page, "7")  # a quantity with no line to set
    assert page.scan.state == "refused"
    scan(qtbot, page, "NUT-M8")
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Escape)  # the field is empty: the current line goes
    assert page.draft.lines == [] and page.scan.state == "ok"
    scan(qtbot, page, BOLT_BOX)
    scan(qtbot, page, "bolt-m8")  # a SKU typed in lower case is no code
    assert page.scan.state == "refused"
    scan(qtbot, page, "BOLT-M8")
    assert page.table.rowCount() == 1
    assert (page.table.item(0, 1).text(), page.table.item(0, 3).text()) == ("13", "A-01")
    qtbot.keyClicks(page.scan.field, "abc")
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Escape)  # Esc with text clears the text only
    assert page.scan.field.text() == "" and len(page.draft.lines) == 1
    shot(page, "receive-plain-en")
    qtbot.keyClick(page.scan.field, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.posted is not None and not page.ctx.ops.busy, timeout=WAIT)

    c = world.clerk
    assert level(c, ids["BOLT"], ids["A-01"]) == 13
    (move,) = moves(c, kind="receipt")
    receipt = c.get("receipt", move["document_id"])
    assert receipt is not None and receipt["order_id"] is None and Decimal(move["qty"]) == 13
    assert page.table.rowCount() == 0


def test_the_receiving_screen_in_chinese(qtbot, desk, world):
    apply_language("zh_CN")
    set_locale("zh_CN")
    page = _page(qtbot, desk, world)
    scan(qtbot, page, world.order_number)
    scan(qtbot, page, BOLT_BOX)
    scan(qtbot, page, "NO-SUCH-CODE")
    assert page.scan.state == "refused"
    assert page.table.item(0, 3).text() == "12", "numbers as the Chinese locale writes them"
    shot(page, "receive-order-zh")
