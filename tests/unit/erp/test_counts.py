"""Cycle counts: a clerk counts a bin or a class of products, a manager reviews the variances and
posts them; the ledger, the levels and the valuation end where the shelves are."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.ids import new_id
from app.erp import count_reads, stock_reads
from app.erp.counts import line_id_for, move_id_for
from app.erp.errors import InvalidTransition, NotInCount, NotOnDocument, NotStocked
from app.erp.stock import level_id


def level(erp, product, bin_):
    return erp.read(stock_reads.on_hand, erp.ids[product], erp.ids[bin_])


def record(erp, count_id, product, bin_, qty, who="clerk", **extra):
    erp.run(who, "erp.count.record", count_id=count_id, product_id=erp.ids[product], location_id=erp.ids[bin_],
            counted_qty=qty, **extra)


def sheet(erp, count_id):
    return [(s.sku, s.location, s.expected, s.counted) for s in erp.read(count_reads.count_sheet, count_id)]


def variances(erp, count_id):
    return {(v.sku, v.location): (v.expected, v.counted, v.variance, v.value)
            for v in erp.read(count_reads.count_variances, count_id)}


def count_moves(erp, count_id):
    return {m["product_id"]: m for m in erp.rows("stock_move", document_id=count_id)}


@pytest.fixture
def stocked(erp):
    """BOLT: 100 at 1.20 in A-01 and 20 in A-02; NUT: 50 at 0.30 in A-01."""
    erp.receive("BOLT", "100", "1.20", "A-01")
    erp.receive("BOLT", "20", "1.20", "A-02")
    erp.receive("NUT", "50", "0.30", "A-01")
    return erp


def test_a_blind_count_of_one_bin_posts_its_variances_and_the_bin_holds_what_was_counted(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-01"])
    assert erp.get("stock_count", count)["number"] == "CC-2026-000001"
    assert sheet(erp, count) == [("B-100", "A-01", None, None), ("N-200", "A-01", None, None)], \
        "only the bin's products, and the counter does not see what the books expect"
    [line] = [r for r in erp.rows("stock_count_line", count_id=count) if r["product_id"] == erp.ids["BOLT"]]
    assert line["id"] == line_id_for(count, erp.ids["BOLT"], erp.ids["A-01"])
    assert line["expected_qty"] == Decimal(100)

    record(erp, count, "BOLT", "A-01", "97")
    record(erp, count, "NUT", "A-01", "52")
    assert sheet(erp, count)[0] == ("B-100", "A-01", None, Decimal(97))
    bolt = erp.get("stock_count_line", line["id"])
    assert (bolt["counted_by"], bolt["counted_at"]) == (erp.users["clerk"], erp.now)
    erp.run("boss", "erp.count.review", id=count)
    assert variances(erp, count) == {
        ("B-100", "A-01"): (Decimal(100), Decimal(97), Decimal(-3), Decimal("-3.60")),
        ("N-200", "A-01"): (Decimal(50), Decimal(52), Decimal(2), Decimal("0.60"))}

    erp.run("boss", "erp.count.post", id=count)

    assert erp.get("stock_count", count)["state"] == "posted"
    assert (level(erp, "BOLT", "A-01"), level(erp, "NUT", "A-01")) == (Decimal(97), Decimal(52))
    assert level(erp, "BOLT", "A-02") == Decimal(20), "a bin outside the count is untouched"
    moves = count_moves(erp, count)
    bolt_move, nut_move = moves[erp.ids["BOLT"]], moves[erp.ids["NUT"]]
    adjust = erp.get("location", bolt_move["to_location_id"])
    assert adjust["kind"] == "adjustment"
    assert (bolt_move["from_location_id"], bolt_move["qty"]) == (erp.ids["A-01"], Decimal(3)), "missing: out of the bin"
    assert (nut_move["from_location_id"], nut_move["to_location_id"], nut_move["qty"]) == \
        (adjust["id"], erp.ids["A-01"], Decimal(2)), "found: into the bin"
    for m in (bolt_move, nut_move):
        assert (m["kind"], m["reference"], m["reason"]) == ("count", "CC-2026-000001", "cycle count")
    assert bolt_move["document_line_id"] == line["id"] and bolt_move["id"] == move_id_for(line["id"])
    assert bolt_move["unit_cost"] == Decimal("1.2000") and nut_move["unit_cost"] == Decimal("0.3000")
    assert erp.get("stock_valuation", erp.ids["BOLT"])["qty"] == Decimal(117)
    assert erp.get("stock_valuation", erp.ids["NUT"])["qty"] == Decimal(52)
    # the posted count shows what was posted, whatever moves later
    assert variances(erp, count)[("B-100", "A-01")] == (Decimal(100), Decimal(97), Decimal(-3), Decimal("-3.60"))


def test_a_count_by_abc_class_lists_that_class_in_every_bin_of_the_warehouse(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], abc_class="A", blind=False)
    assert sheet(erp, count) == [("B-100", "A-01", Decimal(100), None), ("B-100", "A-02", Decimal(20), None)]
    record(erp, count, "BOLT", "A-01", "100")
    record(erp, count, "BOLT", "A-02", "18")
    erp.run("boss", "erp.count.review", id=count)
    erp.run("boss", "erp.count.post", id=count)
    assert (level(erp, "BOLT", "A-01"), level(erp, "BOLT", "A-02")) == (Decimal(100), Decimal(18))
    [move] = erp.rows("stock_move", document_id=count)
    assert (move["from_location_id"], move["qty"]) == (erp.ids["A-02"], Decimal(2)), "no move for a count that agrees"
    assert level(erp, "NUT", "A-01") == Decimal(50)
    [summary] = erp.read(count_reads.counts, states=("posted",))
    assert (summary.label, summary.abc_class, summary.lines, summary.counted) == ("CC-2026-000001", "A", 2, 2)


def test_a_delivery_shipped_between_the_sheet_and_posting_is_not_counted_twice(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-01"])
    erp.run("clerk", "erp.stock.move", id=new_id(), product_id=erp.ids["BOLT"], qty="10",
            from_location_id=erp.ids["A-01"], to_location_id=erp.ids["CUSTOMER"], kind="delivery", moved_at=erp.now)
    record(erp, count, "BOLT", "A-01", "88")  # the shelf after the delivery left: 2 are missing
    erp.run("boss", "erp.count.review", id=count)
    assert variances(erp, count)[("B-100", "A-01")][:3] == (Decimal(90), Decimal(88), Decimal(-2))

    erp.run("boss", "erp.count.post", id=count)

    assert level(erp, "BOLT", "A-01") == Decimal(88)
    assert count_moves(erp, count)[erp.ids["BOLT"]]["qty"] == Decimal(2)
    assert erp.get("stock_valuation", erp.ids["BOLT"])["qty"] == Decimal(108)
    assert erp.get("stock_count_line", line_id_for(count, erp.ids["BOLT"], erp.ids["A-01"]))["expected_qty"] == \
        Decimal(100), "the sheet keeps its snapshot"


def test_a_product_found_on_the_shelf_is_scanned_onto_the_sheet_and_posted_in(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-02"])
    args = {"count_id": count, "product_id": erp.ids["NUT"], "location_id": erp.ids["A-02"]}
    erp.run("clerk", "erp.count.add_line", **args)
    erp.run("clerk", "erp.count.add_line", **args)  # scanned twice: still one line
    assert sheet(erp, count) == [("B-100", "A-02", None, None), ("N-200", "A-02", None, None)]
    assert erp.get("stock_count_line", line_id_for(count, erp.ids["NUT"], erp.ids["A-02"]))["expected_qty"] == 0
    record(erp, count, "NUT", "A-02", "5")
    erp.run("boss", "erp.count.review", id=count)
    erp.run("boss", "erp.count.post", id=count)
    assert level(erp, "NUT", "A-02") == Decimal(5)
    found = count_moves(erp, count)[erp.ids["NUT"]]
    assert found["unit_cost"] == Decimal("0.3000"), "found stock comes in at the average"
    assert erp.get("stock_valuation", erp.ids["NUT"])["qty"] == Decimal(55)
    assert level(erp, "BOLT", "A-02") == Decimal(20), "a line nobody counted is left alone"


def test_a_scan_outside_the_count_or_of_a_service_is_refused(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-02"])
    with pytest.raises(NotInCount):
        erp.run("clerk", "erp.count.add_line", count_id=count, product_id=erp.ids["NUT"], location_id=erp.ids["A-01"])
    erp.ids["SVC"] = erp.run("boss", "erp.product.create", sku="SVC-1", name="安装服务", kind="service")
    with pytest.raises(NotStocked):
        erp.run("clerk", "erp.count.add_line", count_id=count, product_id=erp.ids["SVC"], location_id=erp.ids["A-02"])
    with pytest.raises(NotOnDocument):
        record(erp, count, "NUT", "A-02", "1")


def test_counting_a_bin_to_zero_empties_it_and_an_empty_bin_counted_empty_moves_nothing(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-01"])
    record(erp, count, "NUT", "A-01", "0")
    record(erp, count, "BOLT", "A-01", "100")
    erp.run("boss", "erp.count.review", id=count)
    erp.run("boss", "erp.count.post", id=count)
    assert level(erp, "NUT", "A-01") == 0 and erp.get("stock_valuation", erp.ids["NUT"])["qty"] == 0
    assert list(count_moves(erp, count)) == [erp.ids["NUT"]]


def test_two_clerks_counting_one_line_differently_leave_one_count_and_a_conflict(stocked):
    erp = stocked
    erp.user("clerk2", "clerk")
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-01"])
    line = line_id_for(count, erp.ids["BOLT"], erp.ids["A-01"])
    record(erp, count, "BOLT", "A-01", "96")
    record(erp, count, "BOLT", "A-01", "99", who="clerk2")  # counted without seeing the first count
    assert erp.get("stock_count_line", line)["counted_qty"] == Decimal(96)
    [clash] = erp.last.conflicts
    assert (clash.field, clash.mine, clash.theirs) == ("counted_qty", Decimal(99), Decimal(96))
    record(erp, count, "BOLT", "A-01", "99", who="clerk2", previous_qty="96")  # a recount, knowingly
    row = erp.get("stock_count_line", line)
    assert (row["counted_qty"], row["counted_by"]) == (Decimal(99), erp.users["clerk2"])


def test_a_count_moves_only_forward_and_nothing_is_recorded_after_review(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-01"])
    with pytest.raises(InvalidTransition) as posted_early:
        erp.run("boss", "erp.count.post", id=count)
    assert posted_early.value.params == {"document": "stock count", "current": "being counted", "action": "be posted"}
    record(erp, count, "BOLT", "A-01", "90")
    erp.run("boss", "erp.count.review", id=count)
    with pytest.raises(InvalidTransition) as late:
        record(erp, count, "BOLT", "A-01", "91")
    assert late.value.message("en") == "This stock count is in review: it cannot be counted."
    with pytest.raises(InvalidTransition):
        erp.run("clerk", "erp.count.add_line", count_id=count, product_id=erp.ids["NUT"], location_id=erp.ids["A-01"])
    with pytest.raises(InvalidTransition):
        erp.run("boss", "erp.count.review", id=count)
    assert erp.get("stock_count_line", line_id_for(count, erp.ids["BOLT"], erp.ids["A-01"]))["counted_qty"] == 90
    erp.run("boss", "erp.count.post", id=count)
    for action in ("post", "cancel", "review"):
        with pytest.raises(InvalidTransition):
            erp.run("boss", f"erp.count.{action}", id=count)
    assert level(erp, "BOLT", "A-01") == Decimal(90), "posted once"


def test_a_cancelled_count_posts_nothing(stocked):
    erp = stocked
    count = erp.run("boss", "erp.count.create", warehouse_id=erp.ids["WH"], location_id=erp.ids["A-01"])
    record(erp, count, "BOLT", "A-01", "1")
    erp.run("boss", "erp.count.cancel", id=count)
    with pytest.raises(InvalidTransition):
        erp.run("boss", "erp.count.post", id=count)
    assert erp.rows("stock_move", document_id=count) == [] and level(erp, "BOLT", "A-01") == Decimal(100)


def test_a_sheet_made_on_a_laptop_has_the_server_s_line_ids_and_a_provisional_number(stocked):
    erp = stocked
    count = erp.run("clerk", "erp.count.create", side="client", warehouse_id=erp.ids["WH"], abc_class="B")
    assert erp.get("stock_count", count)["number"] is None
    [summary] = erp.read(count_reads.counts)
    assert summary.label.startswith("CC-*")
    [line] = erp.rows("stock_count_line", count_id=count)
    assert line["id"] == line_id_for(count, erp.ids["NUT"], erp.ids["A-01"])
    assert erp.get("stock_level", level_id(erp.ids["NUT"], erp.ids["A-01"]))["qty"] == line["expected_qty"]
