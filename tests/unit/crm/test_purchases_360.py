"""What the customer bought, in the 360 view: revenue, last order, documents in the timeline and
purchase history by month with the top products (read through the schema, not app.erp)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.core.ids import new_id
from app.crm.purchases import purchase_history
from app.crm.view360 import timeline, view360


def _order(crm, party, product, qty, day, confirm=True, **line):
    order = new_id()
    crm.run("rep1", "erp.order.create", id=order, party_id=party, order_date=day.isoformat(),
            lines=[{"id": str(new_id()), "product_id": str(product), "qty": qty, **line}])
    if confirm:
        crm.run("rep1", "erp.order.confirm", id=order)
    return order


def test_the_360_view_shows_revenue_orders_deliveries_and_what_was_bought_by_month(crm):
    crm.run("boss", "erp.warehouse.create", id=new_id(), code="SH", name="上海仓")
    bolt = crm.run("boss", "erp.product.create", sku="B-1", name="六角螺栓", list_price="2.5")
    nut = crm.run("boss", "erp.product.create", sku="N-1", name="螺母", list_price="1")
    party = crm.run("rep1", "crm.customer.create", name="上海华联", owner_id=crm.users["rep1"])
    crm.now = dt.datetime(2026, 4, 10, 9, tzinfo=dt.UTC)
    _order(crm, party, bolt, "100", dt.date(2026, 4, 10))
    crm.now = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    _order(crm, party, nut, "30", dt.date(2026, 6, 1))
    _order(crm, party, bolt, "8", dt.date(2026, 6, 1), confirm=False)  # a quote: no revenue
    with crm.engine.connect() as conn:
        view = view360(conn, party, crm.now)
        history = purchase_history(conn, party, dt.date(2026, 6, 15))
        orders_only = timeline(conn, party, kinds=("order",))
    assert view is not None
    assert view.header.lifetime_revenue == Decimal("280.00")
    assert view.header.last_order_at == crm.now
    kinds = [item.kind for item in view.timeline.items]
    assert sorted(kinds) == ["delivery", "delivery", "order", "order", "quote"]
    quote = next(item for item in view.timeline.items if item.kind == "quote")
    assert (quote.amount, quote.state, quote.subject.startswith("SO-")) == (Decimal("20.00"), "draft", True)
    assert [item.kind for item in orders_only.items] == ["order", "order"]
    months = dict(history.months)
    assert len(history.months) == 12 and history.months[-1][0] == dt.date(2026, 6, 1)
    assert months[dt.date(2026, 4, 1)] == Decimal("250.00") and months[dt.date(2026, 6, 1)] == Decimal("30.00")
    assert [(p.sku, p.qty, p.amount) for p in history.top_products] == [
        ("B-1", Decimal(100), Decimal("250.00")), ("N-1", Decimal(30), Decimal("30.00"))]


def test_a_customer_without_orders_has_an_empty_history(crm):
    party = crm.run("rep1", "crm.customer.create", name="新客户", owner_id=crm.users["rep1"])
    with crm.engine.connect() as conn:
        history = purchase_history(conn, party, dt.date(2026, 6, 15))
        view = view360(conn, party, crm.now)
    assert history.empty and view is not None and view.header.lifetime_revenue == Decimal("0.00")
