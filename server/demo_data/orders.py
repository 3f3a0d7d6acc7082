"""The demo's orders: the sales orders and purchase orders behind the stock ledger's history, and
today's open work (quotes to follow up, orders to pick and ship, purchase orders to receive).

Every delivery move of the history becomes a shipped order of a customer (so the 360 view has a
purchase history and lifetime revenue), every receipt a received purchase order of a supplier.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.money import line_amount
from app.erp.sales import delivery_id_for, delivery_line_id_for
from server.demo_data.crm import Row, common, uuid7_at


@dataclass(frozen=True)
class Party:
    id: uuid.UUID
    name: str
    owner_id: uuid.UUID | None


@dataclass
class Documents:
    orders: list[Row]
    order_lines: list[Row]
    deliveries: list[Row]
    delivery_lines: list[Row]
    purchases: list[Row]
    purchase_lines: list[Row]
    receipts: list[Row]
    receipt_lines: list[Row]


def _number(series: str, counters: dict[tuple[str, int], int], day: dt.date) -> str:
    key = (series, day.year)
    counters[key] = counters.get(key, 0) + 1
    return f"{series}-{day.year}-{counters[key]:06d}"


def history_documents(rng: random.Random, moves: list[Row], products: Sequence[Row], customers: Sequence[Party],
                      suppliers: Sequence[Party], warehouse_of: dict[uuid.UUID, uuid.UUID],
                      counters: dict[tuple[str, int], int]) -> Documents:
    """Orders behind the ledger's deliveries and receipts (moves in time order; their
    `reference` and `document_id` are set to the documents made here)."""
    docs = Documents([], [], [], [], [], [], [], [])
    price = {p["id"]: p["list_price"] for p in products}
    uom = {p["id"]: p["uom"] for p in products}
    # the main rep's customers buy more often (the first owner in the list is the main rep)
    weights = [3 if c.owner_id == customers[0].owner_id else 1 for c in customers] if customers else []
    for move in moves:
        when: dt.datetime = move["moved_at"]
        if move["kind"] == "delivery" and customers:
            customer = rng.choices(customers, weights)[0]
            order_id = uuid7_at(when - dt.timedelta(days=rng.randint(1, 5)), rng)
            base = common(order_id, when, when, customer.owner_id)
            line = {**common(uuid7_at(when, rng), when, when, customer.owner_id), "order_id": order_id,
                    "position": 1, "product_id": move["product_id"], "description": None, "qty": move["qty"],
                    "uom": uom[move["product_id"]], "uom_factor": Decimal(1), "unit_price": price[move["product_id"]],
                    "discount_pct": Decimal(0), "amount": line_amount(move["qty"], price[move["product_id"]]),
                    "qty_delivered": move["qty"], "promised_date": when.date()}
            docs.order_lines.append(line)
            docs.orders.append({**base, "number": _number("SO", counters, when.date()), "party_id": customer.id,
                                "owner_id": customer.owner_id, "state": "done", "order_date": when.date(),
                                "currency": "CNY", "warehouse_id": warehouse_of[move["from_location_id"]],
                                "amount_total": line["amount"], "confirmed_at": when})
            delivery_id = delivery_id_for(order_id)
            docs.deliveries.append({**common(delivery_id, when, when, move["user_id"]),
                                    "number": _number("DL", counters, when.date()), "order_id": order_id,
                                    "party_id": customer.id, "ship_to": customer.name,
                                    "warehouse_id": warehouse_of[move["from_location_id"]], "state": "done",
                                    "scheduled_date": when.date(), "shipped_at": when, "shipped_by": move["user_id"]})
            docs.delivery_lines.append({**common(delivery_line_id_for(delivery_id, line["id"]), when, when,
                                                 move["user_id"]),
                                        "delivery_id": delivery_id, "order_line_id": line["id"],
                                        "product_id": move["product_id"], "qty": move["qty"], "qty_done": move["qty"],
                                        "from_location_id": move["from_location_id"]})
            move.update(reference=docs.deliveries[-1]["number"], document_id=delivery_id, document_line_id=None)
        elif move["kind"] == "receipt" and suppliers:
            supplier = rng.choice(suppliers)
            ordered = when - dt.timedelta(days=rng.randint(3, 20))
            po_id = uuid7_at(ordered, rng)
            cost = move["unit_cost"]
            po_line = {**common(uuid7_at(ordered, rng), ordered, when, None), "order_id": po_id, "position": 1,
                       "product_id": move["product_id"], "qty": move["qty"], "uom": uom[move["product_id"]],
                       "uom_factor": Decimal(1), "unit_price": cost, "amount": line_amount(move["qty"], cost),
                       "qty_received": move["qty"], "expected_date": when.date()}
            house = warehouse_of[move["to_location_id"]]
            docs.purchase_lines.append(po_line)
            number = _number("PO", counters, ordered.date())
            docs.purchases.append({**common(po_id, ordered, when, None), "number": number,
                                   "party_id": supplier.id, "supplier_name": supplier.name, "state": "received",
                                   "order_date": ordered.date(), "expected_date": when.date(), "currency": "CNY",
                                   "warehouse_id": house, "amount_total": po_line["amount"], "confirmed_at": ordered})
            receipt_id = uuid7_at(when, rng)
            docs.receipts.append({**common(receipt_id, when, when, move["user_id"]),
                                  "number": _number("RC", counters, when.date()), "order_id": po_id,
                                  "party_id": supplier.id, "warehouse_id": house, "received_at": when,
                                  "user_id": move["user_id"]})
            docs.receipt_lines.append({**common(uuid7_at(when, rng), when, when, move["user_id"]),
                                       "receipt_id": receipt_id, "order_line_id": po_line["id"],
                                       "product_id": move["product_id"], "qty": move["qty"],
                                       "location_id": move["to_location_id"], "unit_cost": cost})
            move.update(reference=docs.receipts[-1]["number"], document_id=receipt_id,
                        document_line_id=docs.receipt_lines[-1]["id"])
        move.setdefault("document_id", None)
        move.setdefault("document_line_id", None)
    return docs


def open_documents(rng: random.Random, docs: Documents, in_stock: Sequence[tuple[Row, uuid.UUID, Decimal]],
                   customers: Sequence[Party], suppliers: Sequence[Party], warehouse_id: uuid.UUID,
                   now: dt.datetime, counters: dict[tuple[str, int], int]) -> None:
    """Today's work: the main rep's quotes, confirmed orders waiting to be picked and shipped, and
    purchase orders on their way. `in_stock`: (product, bin, qty) in the warehouse."""
    if not customers or not in_stock:
        return
    mine = [c for c in customers if c.owner_id == customers[0].owner_id][:40]
    today = now.date()
    for n in range(14):
        customer = rng.choice(mine)
        state = "confirmed" if n < 8 else ("sent" if n < 11 else "draft")
        when = now - dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 8))
        order_id = uuid7_at(when, rng)
        lines = []
        for position, (product, _bin, qty) in enumerate(rng.sample(list(in_stock), rng.randint(1, 3)), start=1):
            want = Decimal(max(1, int(qty) // 4))
            lines.append({**common(uuid7_at(when, rng), when, when, customer.owner_id), "order_id": order_id,
                          "position": position, "product_id": product["id"], "description": None, "qty": want,
                          "uom": product["uom"], "uom_factor": Decimal(1), "unit_price": product["list_price"],
                          "discount_pct": Decimal(0), "amount": line_amount(want, product["list_price"]),
                          "qty_delivered": Decimal(0), "promised_date": today + dt.timedelta(days=rng.randint(1, 7))})
        docs.order_lines.extend(lines)
        docs.orders.append({**common(order_id, when, when, customer.owner_id),
                            "number": _number("SO", counters, when.date()), "party_id": customer.id,
                            "owner_id": customer.owner_id, "state": state, "order_date": when.date(),
                            "currency": "CNY", "warehouse_id": warehouse_id,
                            "amount_total": sum((line["amount"] for line in lines), Decimal(0)),
                            "confirmed_at": when if state == "confirmed" else None,
                            "valid_until": today + dt.timedelta(days=14)})
        if state != "confirmed":
            continue
        delivery_id = delivery_id_for(order_id)
        docs.deliveries.append({**common(delivery_id, when, when, customer.owner_id),
                                "number": _number("DL", counters, when.date()), "order_id": order_id,
                                "party_id": customer.id, "ship_to": customer.name, "warehouse_id": warehouse_id,
                                "state": "ready", "scheduled_date": today + dt.timedelta(days=rng.randint(0, 3)),
                                "shipped_at": None, "shipped_by": None})
        docs.delivery_lines.extend(
            {**common(delivery_line_id_for(delivery_id, line["id"]), when, when, customer.owner_id),
             "delivery_id": delivery_id, "order_line_id": line["id"], "product_id": line["product_id"],
             "qty": line["qty"], "qty_done": Decimal(0), "from_location_id": None} for line in lines)
    for _n in range(min(5, len(suppliers))):
        supplier = rng.choice(suppliers)
        when = now - dt.timedelta(days=rng.randint(1, 10))
        po_id = uuid7_at(when, rng)
        expected = today + dt.timedelta(days=rng.randint(1, 14))
        lines = []
        for position, (product, _bin, _qty) in enumerate(rng.sample(list(in_stock), rng.randint(1, 3)), start=1):
            qty, cost = Decimal(rng.randint(2, 20) * 10), product["standard_cost"]
            lines.append({**common(uuid7_at(when, rng), when, when, None), "order_id": po_id, "position": position,
                          "product_id": product["id"], "qty": qty, "uom": product["uom"], "uom_factor": Decimal(1),
                          "unit_price": cost, "amount": line_amount(qty, cost), "qty_received": Decimal(0),
                          "expected_date": expected})
        docs.purchase_lines.extend(lines)
        docs.purchases.append({**common(po_id, when, when, None), "number": _number("PO", counters, when.date()),
                               "party_id": supplier.id, "supplier_name": supplier.name, "state": "confirmed",
                               "order_date": when.date(), "expected_date": expected, "currency": "CNY",
                               "warehouse_id": warehouse_id,
                               "amount_total": sum((x["amount"] for x in lines), Decimal(0)),
                               "confirmed_at": when})


def same_columns(rows: list[Row]) -> list[Row]:
    """Rows of one table with the same keys (COPY names its columns from the first row)."""
    keys = {key for row in rows for key in row}
    for row in rows:
        for key in keys - row.keys():
            row[key] = None
    return rows
