"""Posting stock moves: the ledger, the level projection and moving-average valuation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.ids import new_id
from app.erp import stock_reads, valuation
from app.erp.errors import NotStocked, ReasonRequired, WrongLocations
from app.erp.stock import level_id


def move(erp, product, qty, source, target, kind, **extra):
    return erp.run("clerk", "erp.stock.move", id=new_id(), product_id=erp.ids[product], qty=qty,
                   from_location_id=erp.ids[source], to_location_id=erp.ids[target], kind=kind, moved_at=erp.now,
                   **extra)


def test_receipts_at_different_costs_move_the_average_and_deliveries_leave_at_it(erp):
    erp.receive("BOLT", "100", "1.20")
    erp.receive("BOLT", "300", "1.60")
    value = erp.get("stock_valuation", erp.ids["BOLT"])
    assert (value["qty"], value["avg_cost"]) == (Decimal("400.0000"), Decimal("1.5000"))
    out = move(erp, "BOLT", "150", "A-01", "CUSTOMER", "delivery")
    assert erp.get("stock_move", out)["unit_cost"] == Decimal("1.5000")
    value = erp.get("stock_valuation", erp.ids["BOLT"])
    assert (value["qty"], value["avg_cost"]) == (Decimal("250.0000"), Decimal("1.5000"))


def test_levels_follow_each_bin_and_a_transfer_keeps_the_value(erp):
    erp.receive("BOLT", "100", "1.20")
    move(erp, "BOLT", "30", "A-01", "A-02", "transfer")
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"], erp.ids["A-01"]) == Decimal(70)
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"], erp.ids["A-02"]) == Decimal(30)
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"], warehouse_id=erp.ids["WH"]) == Decimal(100)
    assert erp.get("stock_valuation", erp.ids["BOLT"])["qty"] == Decimal(100)
    assert erp.get("stock_level", level_id(erp.ids["BOLT"], erp.ids["A-02"]))["qty"] == Decimal(30)


def test_negative_stock_is_kept_and_reported_never_corrected(erp):
    erp.receive("NUT", "5", "0.30")
    move(erp, "NUT", "8", "A-01", "CUSTOMER", "delivery")
    assert erp.read(stock_reads.on_hand, erp.ids["NUT"], erp.ids["A-01"]) == Decimal(-3)
    [negative] = erp.read(stock_reads.negative_levels)
    assert (negative.sku, negative.location, negative.qty) == ("N-200", "A-01", Decimal(-3))
    # stock that arrives while below zero is valued at its own cost
    erp.receive("NUT", "10", "0.50")
    value = erp.get("stock_valuation", erp.ids["NUT"])
    assert (value["qty"], value["avg_cost"]) == (Decimal(7), Decimal("0.5000"))
    assert erp.read(stock_reads.negative_levels) == []


def test_the_stock_card_lists_every_move_with_its_running_balance(erp):
    erp.receive("BOLT", "100", "1.20")
    erp.now = erp.now.replace(hour=10)
    move(erp, "BOLT", "40", "A-01", "CUSTOMER", "delivery")
    erp.now = erp.now.replace(hour=11)
    move(erp, "BOLT", "10", "A-01", "A-02", "transfer")
    erp.now = erp.now.replace(hour=12)
    move(erp, "BOLT", "2", "A-02", "ADJUST", "adjustment", reason="破损")
    card = erp.read(stock_reads.stock_card, erp.ids["BOLT"])
    assert [(c.kind, c.qty, c.balance) for c in card] == [
        ("adjustment", Decimal(-2), Decimal(58)), ("transfer", Decimal(0), Decimal(60)),
        ("delivery", Decimal(-40), Decimal(60)), ("receipt", Decimal(100), Decimal(100))]
    one_bin = erp.read(stock_reads.stock_card, erp.ids["BOLT"], erp.ids["A-02"])
    assert [(c.kind, c.qty, c.balance) for c in one_bin] == [
        ("adjustment", Decimal(-2), Decimal(8)), ("transfer", Decimal(10), Decimal(10))]


def test_an_adjustment_needs_a_reason(erp):
    erp.receive("BOLT", "10", "1.20")
    with pytest.raises(ReasonRequired):
        move(erp, "BOLT", "1", "A-01", "ADJUST", "adjustment")


@pytest.mark.parametrize(("source", "target", "kind"), [
    ("A-01", "A-02", "receipt"), ("SUPPLIER", "A-01", "transfer"), ("CUSTOMER", "A-01", "delivery"),
    ("A-01", "CUSTOMER", "adjustment")])
def test_a_move_must_go_between_the_places_its_kind_allows(erp, source, target, kind):
    with pytest.raises(WrongLocations):
        move(erp, "BOLT", "1", source, target, kind, reason="x")
    assert erp.rows("stock_move") == []


def test_a_service_has_no_stock(erp):
    service = erp.run("boss", "erp.product.create", sku="SVC-1", name="安装服务", kind="service")
    erp.ids["SVC"] = service
    with pytest.raises(NotStocked):
        erp.receive("SVC", "1", "10")


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 1000), st.integers(1, 50_000)), min_size=1, max_size=30))
def test_the_moving_average_stays_between_the_costs_seen_and_quantities_add_up(steps):
    qty, avg, seen, expected = Decimal(0), Decimal(0), [], Decimal(0)
    for incoming, units, cents in steps:
        cost = Decimal(cents) / 100
        if incoming:
            qty, avg = valuation.receive(qty, avg, Decimal(units), cost)
            expected += units
            seen.append(cost)
        else:
            qty, avg = valuation.issue(qty, avg, Decimal(units))
            expected -= units
        assert qty == expected
        if seen:
            assert min(seen) - Decimal("0.0001") <= avg <= max(seen) + Decimal("0.0001")


def test_the_same_move_sent_twice_counts_once_and_another_under_its_id_is_refused(erp):
    from app.core.tx import RowExists

    move_id = new_id()
    args = dict(id=move_id, product_id=erp.ids["BOLT"], qty="10", from_location_id=erp.ids["SUPPLIER"],
                to_location_id=erp.ids["A-01"], kind="receipt", moved_at=erp.now, unit_cost="1.20")
    erp.run("clerk", "erp.stock.move", **args)
    erp.run("clerk", "erp.stock.move", **args)
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"]) == Decimal(10)
    assert erp.get("stock_valuation", erp.ids["BOLT"])["qty"] == Decimal(10)
    with pytest.raises(RowExists):
        erp.run("clerk", "erp.stock.move", **{**args, "qty": "11"})
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"]) == Decimal(10)
