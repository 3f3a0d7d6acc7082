"""Moving-average valuation, as pure functions: the server applies them in its apply order.

Goods coming into the company's stock at a cost move the average; goods going out leave at the
average and do not change it. When stock was at or below zero (negative stock allowed offline),
the incoming cost becomes the average: there is no earlier stock for it to average with.
"""

from __future__ import annotations

from decimal import Decimal

from app.core.money import QUANTITY_STEP, round_quantity


def receive(on_hand: Decimal, avg_cost: Decimal, qty: Decimal, unit_cost: Decimal) -> tuple[Decimal, Decimal]:
    """On hand and average cost after `qty` came in at `unit_cost`."""
    after = on_hand + qty
    if on_hand <= 0 or after <= 0:
        return after, unit_cost.quantize(QUANTITY_STEP)
    return after, round_quantity((on_hand * avg_cost + qty * unit_cost) / after)


def issue(on_hand: Decimal, avg_cost: Decimal, qty: Decimal) -> tuple[Decimal, Decimal]:
    """On hand and average cost after `qty` went out (at the average)."""
    return on_hand - qty, avg_cost
