"""Buying documents: purchase orders to suppliers (parties with the supplier role), their lines,
and the receipts that post the goods into stock and update what the order still expects."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.schema.base import GUARDED, SCOPES, party_ref, synced_table
from app.core.schema.types import Money, Quantity, UtcDateTime

PURCHASE_STATES = ("draft", "sent", "confirmed", "received", "cancelled")

purchase_order = synced_table(
    "purchase_order",
    sa.Column("number", sa.String(32), nullable=True, unique=True),
    party_ref(),
    #: the supplier's name as the receiving clerk sees it (clerks do not pull the CRM)
    sa.Column("supplier_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("owner_id", sa.Uuid(), nullable=True),
    sa.Column("state", sa.String(12), nullable=False, server_default="draft"),
    sa.Column("order_date", sa.Date(), nullable=False),
    sa.Column("expected_date", sa.Date(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("warehouse_id", sa.Uuid(), nullable=False),
    sa.Column("amount_total", Money(), nullable=False, server_default="0"),
    #: percent over the ordered quantity a receipt may bring in
    sa.Column("over_receipt_pct", Quantity(), nullable=False, server_default="0"),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("confirmed_at", UtcDateTime(), nullable=True),
    sa.Column("cancelled_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint(f"state IN {PURCHASE_STATES!r}", name="state"),
    sa.Index("ix_purchase_order_party", "party_id", "order_date"),
    sa.Index("ix_purchase_order_state", "state"),
)
SCOPES["purchase_order"] = "purchasing"
GUARDED["purchase_order"] = frozenset({"state"})

purchase_order_line = synced_table(
    "purchase_order_line",
    sa.Column("order_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("qty", Quantity(), nullable=False),
    sa.Column("uom", sa.String(16), nullable=False),
    sa.Column("uom_factor", Quantity(), nullable=False, server_default="1"),
    sa.Column("unit_price", Quantity(), nullable=False),
    sa.Column("amount", Money(), nullable=False),
    #: in stock units
    sa.Column("qty_received", Quantity(), nullable=False, server_default="0"),
    sa.Column("expected_date", sa.Date(), nullable=True),
    sa.CheckConstraint("qty > 0", name="qty_positive"),
    sa.Index("ix_purchase_order_line_order", "order_id", "position"),
    sa.Index("ix_purchase_order_line_product", "product_id"),
)
SCOPES["purchase_order_line"] = "purchasing"
GUARDED["purchase_order_line"] = frozenset({"qty", "unit_price"})

#: goods received: posted at once (the scan is the event), one move per line
receipt = synced_table(
    "receipt",
    sa.Column("number", sa.String(32), nullable=True, unique=True),
    sa.Column("order_id", sa.Uuid(), nullable=True),
    party_ref(nullable=True),
    sa.Column("warehouse_id", sa.Uuid(), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Index("ix_receipt_order", "order_id"),
)
SCOPES["receipt"] = "purchasing"

receipt_line = synced_table(
    "receipt_line",
    sa.Column("receipt_id", sa.Uuid(), nullable=False),
    sa.Column("order_line_id", sa.Uuid(), nullable=True),
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("qty", Quantity(), nullable=False),
    sa.Column("location_id", sa.Uuid(), nullable=False),
    sa.Column("unit_cost", Quantity(), nullable=True),
    sa.CheckConstraint("qty > 0", name="qty_positive"),
    sa.Index("ix_receipt_line_receipt", "receipt_id"),
)
SCOPES["receipt_line"] = "purchasing"
