"""A clerk moves stock between bins and corrects it with a scanner and the keyboard only: a
transfer refuses products before the first bin and more than that bin holds, posts one move per
product, and the levels follow in the cache and on the server; an adjustment spells out the
correction (a quantity found or a signed difference) and needs a reason before F9 posts it
against the adjustment location."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.core.i18n import set_locale
from app.ui.erp.adjust import AdjustPage
from app.ui.erp.scan import REFUSED_COLOUR
from app.ui.erp.transfer import TransferPage
from app.ui.qtapp import apply_language
from tests.ui.erp.scan_world import (
    BOLT_BOX,
    BOLT_PCS,
    NUT_PCS,
    WAIT,
    build,
    level,
    moves,
    scan,
    server_level,
    shot,
    show,
    stock,
    synced,
)


@pytest.fixture
def world(desk, cluster):
    w = build(desk, cluster, with_order=False)
    stock(w, BOLT=("A-01", "30"), NUT=("A-01", "10"))
    return w


def test_a_transfer_moves_each_scanned_product_from_the_first_bin_to_the_second(qtbot, desk, world, cluster):
    ids, c = world.ids, world.clerk
    page = show(qtbot, desk, TransferPage(desk.context(c)))
    scan(qtbot, page, "BOLT-M8")  # no bin yet
    assert page.scan.state == "refused" and REFUSED_COLOUR in page.scan.result.styleSheet()
    scan(qtbot, page, "A-01")
    assert page.scan.state == "ok" and "A-01" in page.from_info.text()
    scan(qtbot, page, BOLT_BOX)
    scan(qtbot, page, BOLT_PCS)
    assert page.table.item(0, 1).text() == "13"
    scan(qtbot, page, "31")  # A-01 holds 30
    assert page.scan.state == "refused" and "30" in page.scan.message and page.table.item(0, 1).text() == "13"
    scan(qtbot, page, "20")
    assert page.scan.state == "ok" and page.table.item(0, 1).text() == "20"
    scan(qtbot, page, NUT_PCS)
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Escape)  # drops the nut line
    assert [line.label for line in page.lines] == ["BOLT-M8 六角螺栓 M8"]
    scan(qtbot, page, "NUT-M8")
    scan(qtbot, page, "4")
    scan(qtbot, page, "A-01")  # the goods are there already
    assert page.scan.state == "refused"
    scan(qtbot, page, "ADJ")  # not a bin
    assert page.scan.state == "refused"
    scan(qtbot, page, "a-02")  # a bin code in lower case is the bin
    assert page.scan.state == "ok" and "A-02" in page.to_info.text()
    shot(page, "transfer-en")
    qtbot.keyClick(page.scan.field, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.posted == 2 and not page.ctx.ops.busy, timeout=WAIT)
    assert page.lines == [] and page.source is None and page.scan.state == "ok"
    assert page.scan.field.hasFocus()

    assert (level(c, ids["BOLT"], ids["A-01"]), level(c, ids["BOLT"], ids["A-02"])) == (10, 20)
    assert (level(c, ids["NUT"], ids["A-01"]), level(c, ids["NUT"], ids["A-02"])) == (6, 4)
    assert sorted(Decimal(m["qty"]) for m in moves(c, kind="transfer")) == [4, 20]
    synced(c)
    assert server_level(cluster, desk.tenant, ids["BOLT"], ids["A-02"]) == 20
    assert server_level(cluster, desk.tenant, ids["NUT"], ids["A-01"]) == 6


def test_an_adjustment_needs_a_reason_and_books_against_the_adjustment_location(qtbot, desk, world, cluster):
    ids, c = world.ids, world.clerk
    page = show(qtbot, desk, AdjustPage(desk.context(c)))
    scan(qtbot, page, "A-01")
    scan(qtbot, page, "BOLT-M8")
    assert "30" in page.item_info.text()
    scan(qtbot, page, "30")  # the count matches: nothing to adjust
    assert page.scan.state == "refused"
    scan(qtbot, page, "27")  # found 27 of 30
    assert page.scan.state == "ok" and "−3" in page.change_info.text()
    qtbot.keyClick(page.scan.field, Qt.Key.Key_F9)  # no reason chosen
    assert page.scan.state == "refused" and page.posted == 0 and moves(c, kind="adjustment") == []
    assert page.scan.field.hasFocus()

    qtbot.keyClick(page.scan.field, Qt.Key.Key_Tab)
    assert page.reason.hasFocus()
    qtbot.keyClick(page.reason, Qt.Key.Key_Down)  # Damaged
    qtbot.keyClick(page.reason, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.posted == 1 and not page.ctx.ops.busy, timeout=WAIT)
    assert page.scan.field.hasFocus() and page.bin is not None and page.item is None
    (damaged,) = moves(c, kind="adjustment")
    assert (damaged["from_location_id"], damaged["to_location_id"]) == (page.bin.id, page.virtual.id)
    assert Decimal(damaged["qty"]) == 3 and damaged["reason"] == "damaged"
    assert level(c, ids["BOLT"], ids["A-01"]) == 27

    scan(qtbot, page, NUT_PCS)  # the bin stays for the next product
    scan(qtbot, page, "+2")  # two more than the 10 on record
    assert "12" in page.change_info.text()
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Tab)
    for _ in range(4):
        qtbot.keyClick(page.reason, Qt.Key.Key_Down)  # Other
    assert page.reason.currentData() == "other"
    qtbot.keyClick(page.reason, Qt.Key.Key_F9)  # Other needs a note
    assert page.scan.state == "refused" and page.posted == 1
    qtbot.keyClick(page.scan.field, Qt.Key.Key_Tab)
    qtbot.keyClick(page.reason, Qt.Key.Key_Tab)
    assert page.note.hasFocus()
    qtbot.keyClicks(page.note, "behind shelf B")
    shot(page, "adjust-en")
    qtbot.keyClick(page.note, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.posted == 2 and not page.ctx.ops.busy, timeout=WAIT)
    (found,) = [m for m in moves(c, kind="adjustment") if m["id"] != damaged["id"]]
    assert (found["from_location_id"], found["reason"]) == (page.virtual.id, "other: behind shelf B")
    assert level(c, ids["NUT"], ids["A-01"]) == 12
    synced(c)
    assert server_level(cluster, desk.tenant, ids["BOLT"], ids["A-01"]) == 27
    assert server_level(cluster, desk.tenant, ids["NUT"], ids["A-01"]) == 12


def test_the_stock_screens_in_chinese(qtbot, desk, world):
    apply_language("zh_CN")
    set_locale("zh_CN")
    transfer = show(qtbot, desk, TransferPage(desk.context(world.clerk)))
    scan(qtbot, transfer, "A-01")
    scan(qtbot, transfer, BOLT_BOX)
    scan(qtbot, transfer, "A-02")
    assert transfer.target is not None and transfer.table.item(0, 1).text() == "12"
    shot(transfer, "transfer-zh")
    adjust = show(qtbot, desk, AdjustPage(desk.context(world.clerk)))
    scan(qtbot, adjust, "A-01")
    scan(qtbot, adjust, "NUT-M8")
    scan(qtbot, adjust, "-1")
    assert adjust.typed is not None and adjust.scan.state == "ok"
    shot(adjust, "adjust-zh")
