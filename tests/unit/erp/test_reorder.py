"""Reorder suggestions (projected stock below the reorder point → buy up to reorder point + safety
stock, minimum quantity and multiple applied) and the draft purchase orders made from them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.core.ids import new_id
from app.erp import stock_reads
from app.erp.reorder import draft_purchase_orders, reorder_suggestions, suggest_quantity

DAY = dt.date(2026, 6, 1)


def suggestions(erp, warehouse=None):
    return {s.sku: s for s in erp.read(reorder_suggestions, warehouse, today=DAY)}


def test_a_bolt_below_its_reorder_point_is_bought_in_its_minimum_and_multiples(erp):
    # BOLT: reorder point 200, safety stock 50, minimum 100, multiple 50, 7 days from SUP
    bolt = suggestions(erp)["B-100"]
    assert (bolt.projected, bolt.need, bolt.qty) == (Decimal(0), Decimal(250), Decimal(250))
    assert (bolt.supplier_id, bolt.supplier_name) == (erp.ids["SUP"], "宁波紧固件厂")
    assert bolt.expected_date == DAY + dt.timedelta(days=7)

    erp.receive("BOLT", "120", "1.20")
    bolt = suggestions(erp)["B-100"]
    assert (bolt.on_hand, bolt.need, bolt.qty) == (Decimal(120), Decimal(130), Decimal(150)), "rounded up to 50s"
    erp.receive("BOLT", "60", "1.20")
    assert suggestions(erp)["B-100"].qty == Decimal(100), "70 needed, 100 the least the supplier sells"
    erp.receive("BOLT", "20", "1.20")
    assert "B-100" not in suggestions(erp), "at the reorder point: nothing to buy"
    assert "N-200" not in suggestions(erp), "a product without a reorder point is never suggested"


def test_stock_reserved_for_customers_brings_the_reorder_forward(erp):
    erp.receive("BOLT", "300", "1.20")
    assert "B-100" not in suggestions(erp)
    order = new_id()
    erp.run("rep", "erp.order.create", id=order, party_id=erp.ids["CUST"], order_date=DAY,
            lines=[{"id": new_id(), "product_id": erp.ids["BOLT"], "qty": "150"}])
    erp.run("rep", "erp.order.confirm", id=order)
    bolt = suggestions(erp)["B-100"]
    assert (bolt.reserved, bolt.projected, bolt.qty) == (Decimal(150), Decimal(150), Decimal(100))
    # the figures agree with the stock reads the screens show
    assert bolt.reserved == erp.read(stock_reads.reserved, erp.ids["BOLT"])
    assert bolt.on_hand == erp.read(stock_reads.on_hand, erp.ids["BOLT"])


def test_open_purchase_orders_count_as_incoming_and_one_click_drafts_are_not_suggested_twice(erp):
    erp.run("boss", "erp.product.update", id=erp.ids["NUT"], reorder_point={"base": None, "new": "30"})
    found = suggestions(erp)
    assert (found["B-100"].qty, found["N-200"].qty) == (Decimal(250), Decimal(30))

    drafts = draft_purchase_orders(found.values(), erp.ids["WH"], DAY, new_id)
    assert [s.sku for s in drafts.unsourced] == ["N-200"], "the nut has no supplier: someone has to choose one"
    [args] = drafts.orders
    assert (args["party_id"], args["supplier_name"], args["order_date"]) == (str(erp.ids["SUP"]), "宁波紧固件厂",
                                                                             "2026-06-01")
    assert [(line["product_id"], Decimal(line["qty"])) for line in args["lines"]] == [(str(erp.ids["BOLT"]), 250)]
    po = uuid.UUID(erp.run("planner", "erp.purchase.create", **args))
    assert erp.get("purchase_order", po)["expected_date"] == DAY + dt.timedelta(days=7)
    assert erp.get("purchase_order", po)["amount_total"] == Decimal("300.00"), "250 at the standard cost"
    assert list(suggestions(erp)) == ["N-200"], "the draft counts as incoming"

    # confirmed and partly received: only what is still to come counts
    erp.run("planner", "erp.purchase.confirm", id=po)
    [line] = erp.rows("purchase_order_line", order_id=po)
    erp.run("clerk", "erp.receipt.post", order_id=po, warehouse_id=erp.ids["WH"], received_at=erp.now,
            lines=[{"id": new_id(), "order_line_id": line["id"], "product_id": erp.ids["BOLT"], "qty": "100",
                    "location_id": erp.ids["A-01"]}])
    erp.receive("BOLT", "10", "1.20", bin_="A-02")
    erp.run("rep", "erp.order.create", id=(order := new_id()), party_id=erp.ids["CUST"], order_date=DAY,
            lines=[{"id": new_id(), "product_id": erp.ids["BOLT"], "qty": "110"}])
    erp.run("rep", "erp.order.confirm", id=order)
    bolt = suggestions(erp)["B-100"]
    assert (bolt.on_hand, bolt.reserved, bolt.incoming, bolt.projected) == (
        Decimal(110), Decimal(110), Decimal(150), Decimal(150))
    assert bolt.qty == Decimal(100)

    # a cancelled order brings nothing
    erp.run("planner", "erp.purchase.cancel", id=erp.run(
        "planner", "erp.purchase.create", **draft_purchase_orders([bolt], erp.ids["WH"], DAY, new_id).orders[0]))
    assert suggestions(erp)["B-100"].incoming == Decimal(150)


def test_a_planners_cache_names_the_supplier_from_its_last_order(erp):
    # no parties on a planner's laptop: the last order to the supplier tells its name
    other = new_id()
    erp.run("planner", "erp.purchase.create", side="client", party_id=other, supplier_name="温州五金",
            warehouse_id=erp.ids["WH"], order_date=DAY - dt.timedelta(days=30),
            lines=[{"id": new_id(), "product_id": erp.ids["NUT"], "qty": "1"}])
    erp.run("boss", "erp.product.update", id=erp.ids["BOLT"],
            default_supplier_id={"base": str(erp.ids["SUP"]), "new": str(other)})
    bolt = suggestions(erp)["B-100"]
    assert (bolt.supplier_id, bolt.supplier_name) == (other, "温州五金")


def test_a_warehouse_counts_only_its_own_bins(erp):
    elsewhere = erp.run("boss", "erp.warehouse.create", code="BJ", name="北京仓")
    erp.ids["B-01"] = erp.run("boss", "erp.location.create", code="B-01", name="B-01", warehouse_id=elsewhere)
    erp.receive("BOLT", "500", "1.20", bin_="B-01")
    assert "B-100" not in suggestions(erp), "over every warehouse there is enough"
    assert suggestions(erp, erp.ids["WH"])["B-100"].qty == Decimal(250)
    assert "B-100" not in suggestions(erp, elsewhere)


def test_suggested_quantities_by_example():
    assert suggest_quantity(Decimal(0), Decimal(100), Decimal(50)) == 0
    assert suggest_quantity(Decimal(-5), None, None) == 0
    assert suggest_quantity(Decimal("7.5"), None, None) == Decimal("7.5")
    assert suggest_quantity(Decimal(1), Decimal(100), Decimal(30)) == Decimal(120), "the minimum is rounded up too"
    assert suggest_quantity(Decimal("0.0003"), None, Decimal("0.0001")) == Decimal("0.0003")
    assert suggest_quantity(Decimal("999999999999.0001"), None, Decimal(1)) == Decimal(1000000000000)


quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000000000000"), places=4)


@given(need=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000000000000"), places=4),
       min_qty=st.none() | quantities, multiple=st.none() | quantities)
def test_a_suggestion_covers_the_need_and_minimum_in_the_fewest_multiples(need, min_qty, multiple):
    qty = suggest_quantity(need, min_qty, multiple)
    if need <= 0:
        assert qty == 0
        return
    floor = max(need, min_qty or 0)
    assert qty >= need
    assert qty >= floor
    if multiple is None:
        assert qty == floor
    else:
        assert qty % multiple == 0
        assert qty - multiple < floor, "one multiple fewer would not cover it"
