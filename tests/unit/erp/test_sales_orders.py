"""Quote → order → reserve → partial delivery → backorder → delivery, told as the rep and the clerk
live it, plus the rules around it: transitions, units, numbers, cancelling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.core.ids import new_id
from app.erp import stock_reads
from app.erp.errors import EmptyDocument, InvalidTransition, OverPick, UnknownUnit
from app.erp.sales import delivery_id_for, delivery_line_id_for
from app.erp.shipping import backorder_id_for

DAY = dt.date(2026, 6, 1)


def quote(erp, *lines, side="server", **extra):
    order_id = new_id()
    erp.run("rep", "erp.order.create", side=side, id=order_id, party_id=erp.ids["CUST"], order_date=DAY,
            lines=[{"id": new_id(), "product_id": erp.ids[p], "qty": q, **more} for p, q, more in lines], **extra)
    return order_id


def ship(erp, delivery_id, picks, backorder=True):
    lines = {row["product_id"]: row["id"] for row in erp.rows("delivery_line", delivery_id=delivery_id)}
    erp.run("clerk", "erp.delivery.ship", id=delivery_id, backorder=backorder,
            picks=[{"line_id": lines[erp.ids[p]], "qty": q, "from_location_id": erp.ids[b]} for p, q, b in picks])


def test_a_quote_becomes_an_order_that_reserves_ships_in_part_and_finishes_on_the_backorder(erp):
    erp.receive("BOLT", "100", "1.20")
    erp.receive("NUT", "500", "0.30")
    order = quote(erp, ("BOLT", "150", {}), ("NUT", "200", {"unit_price": "0.75", "discount_pct": "10"}))
    placed = erp.get("sales_order", order)
    assert (placed["state"], placed["number"]) == ("draft", "SO-2026-000001")
    # 150 × 2.50 list price + 200 × 0.75 less 10 %
    assert placed["amount_total"] == Decimal("510.00")

    erp.run("rep", "erp.order.send", id=order)
    erp.run("rep", "erp.order.confirm", id=order)
    assert erp.get("sales_order", order)["state"] == "confirmed"
    first = delivery_id_for(order)
    assert erp.get("delivery", first)["ship_to"] == "上海华联超市"
    assert erp.read(stock_reads.reserved, erp.ids["BOLT"]) == Decimal(150)
    atp = erp.read(stock_reads.available_to_promise, erp.ids["BOLT"], DAY)
    assert (atp.on_hand, atp.reserved, atp.available) == (Decimal(100), Decimal(150), Decimal(-50))

    # the clerk has only 100 bolts: ships those and all the nuts; 50 bolts go on a backorder
    ship(erp, first, [("BOLT", "60", "A-01"), ("BOLT", "40", "A-01"), ("NUT", "200", "A-01")])
    assert erp.get("delivery", first)["state"] == "done"
    backorder = erp.get("delivery", backorder_id_for(first))
    assert (backorder["state"], backorder["backorder_of"]) == ("ready", first)
    assert [(r["product_id"], r["qty"]) for r in erp.rows("delivery_line", delivery_id=backorder["id"])] == [
        (erp.ids["BOLT"], Decimal(50))]
    assert erp.read(stock_reads.reserved, erp.ids["BOLT"]) == Decimal(50)
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"]) == Decimal(0)
    assert erp.get("sales_order", order)["state"] == "confirmed"
    bolts = [r for r in erp.rows("sales_order_line", order_id=order) if r["product_id"] == erp.ids["BOLT"]]
    assert bolts[0]["qty_delivered"] == Decimal(100)
    moves = erp.rows("stock_move", document_id=first)
    assert sorted(m["qty"] for m in moves) == [Decimal(100), Decimal(200)]  # two scans of a bin: one move

    erp.receive("BOLT", "50", "1.30")
    ship(erp, backorder["id"], [("BOLT", "50", "A-01")])
    assert erp.get("sales_order", order)["state"] == "done"
    assert erp.read(stock_reads.reserved, erp.ids["BOLT"]) == Decimal(0)
    assert erp.read(stock_reads.on_hand, erp.ids["BOLT"]) == Decimal(0)


def test_a_clerk_may_close_a_delivery_short_without_a_backorder(erp):
    erp.receive("BOLT", "10", "1.20")
    order = quote(erp, ("BOLT", "30", {}))
    erp.run("rep", "erp.order.confirm", id=order)
    ship(erp, delivery_id_for(order), [("BOLT", "10", "A-01")], backorder=False)
    assert erp.rows("delivery", backorder_of=delivery_id_for(order)) == []
    assert erp.get("sales_order", order)["state"] == "done"


def test_picking_more_than_the_delivery_asks_is_refused_and_nothing_moves(erp):
    erp.receive("BOLT", "100", "1.20")
    order = quote(erp, ("BOLT", "20", {}))
    erp.run("rep", "erp.order.confirm", id=order)
    with pytest.raises(OverPick):
        ship(erp, delivery_id_for(order), [("BOLT", "15", "A-01"), ("BOLT", "6", "A-02")])
    assert erp.rows("stock_move", document_id=delivery_id_for(order)) == []
    assert erp.get("delivery", delivery_id_for(order))["state"] == "ready"


def test_cancelling_a_confirmed_order_returns_its_reservation(erp):
    erp.receive("BOLT", "100", "1.20")
    order = quote(erp, ("BOLT", "40", {}))
    erp.run("rep", "erp.order.confirm", id=order)
    assert erp.read(stock_reads.reserved, erp.ids["BOLT"]) == Decimal(40)
    erp.run("rep", "erp.order.cancel", id=order, reason="客户改期")
    assert erp.read(stock_reads.reserved, erp.ids["BOLT"]) == Decimal(0)
    assert erp.get("delivery", delivery_id_for(order))["state"] == "cancelled"
    assert erp.get("sales_order", order)["cancel_reason"] == "客户改期"


@pytest.mark.parametrize(("actions", "refused"), [
    (["confirm"], "send"), (["cancel"], "confirm"), (["confirm"], "confirm"), ([], "finish")])
def test_an_action_the_transition_table_lacks_raises(erp, actions, refused):
    order = quote(erp, ("BOLT", "1", {}))
    for action in actions:
        erp.run("rep", f"erp.order.{action}", id=order, **({"reason": "x"} if action == "cancel" else {}))
    name = {"finish": "erp.order.confirm"}.get(refused, f"erp.order.{refused}")
    if refused == "finish":
        erp.run("rep", "erp.order.cancel", id=order, reason="x")
    with pytest.raises(InvalidTransition):
        erp.run("rep", name, id=order)


def test_an_order_line_in_boxes_reserves_stock_units(erp):
    erp.run("boss", "erp.product.unit.set", product_id=erp.ids["BOLT"], uom="box", factor="12")
    order = quote(erp, ("BOLT", "3", {"uom": "box"}))
    [line] = erp.rows("sales_order_line", order_id=order)
    assert (line["uom_factor"], line["unit_price"], line["amount"]) == (Decimal(12), Decimal(30), Decimal("90.00"))
    erp.run("rep", "erp.order.confirm", id=order)
    [to_ship] = erp.rows("delivery_line", delivery_id=delivery_id_for(order))
    assert (to_ship["id"], to_ship["qty"]) == (delivery_line_id_for(delivery_id_for(order), line["id"]), Decimal(36))
    with pytest.raises(UnknownUnit):
        quote(erp, ("NUT", "1", {"uom": "box"}))


def test_a_laptop_gives_no_number_and_a_quote_needs_lines(erp):
    order = quote(erp, ("BOLT", "5", {}), side="client")
    assert erp.get("sales_order", order)["number"] is None
    with pytest.raises(EmptyDocument):
        quote(erp)


def test_a_sent_quote_may_be_revised_but_a_confirmed_order_may_not_be_edited(erp):
    order = quote(erp, ("BOLT", "5", {}))
    erp.run("rep", "erp.order.send", id=order)
    new_line = {"id": new_id(), "product_id": erp.ids["NUT"], "qty": "8"}
    erp.run("rep", "erp.order.update", id=order, lines=[new_line])
    assert [r["product_id"] for r in erp.rows("sales_order_line", order_id=order, archived=False)] == [erp.ids["NUT"]]
    assert erp.get("sales_order", order)["amount_total"] == Decimal("6.40")
    erp.run("rep", "erp.order.confirm", id=order)
    with pytest.raises(InvalidTransition):
        erp.run("rep", "erp.order.update", id=order, lines=[new_line])
