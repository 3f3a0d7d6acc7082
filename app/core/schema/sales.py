"""Selling documents: the quote that becomes a sales order (one document, its state says which),
its lines, and the deliveries the warehouse ships against it.

Numbers (SO-2026-000123, DL-2026-000045) are assigned by the server when a document first syncs;
until then a document shows a provisional number made from its id. Reserved stock is not stored:
it is what confirmed orders still have to deliver (ordered − delivered on open lines).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.schema.base import GUARDED, SCOPES, party_ref, synced_table
from app.core.schema.types import Money, Quantity, UtcDateTime

ORDER_STATES = ("draft", "sent", "confirmed", "done", "cancelled")
DELIVERY_STATES = ("ready", "done", "cancelled")

sales_order = synced_table(
    "sales_order",
    sa.Column("number", sa.String(32), nullable=True, unique=True),
    party_ref(),
    sa.Column("contact_id", sa.Uuid(), nullable=True),
    sa.Column("owner_id", sa.Uuid(), nullable=True),
    sa.Column("state", sa.String(12), nullable=False, server_default="draft"),
    sa.Column("order_date", sa.Date(), nullable=False),
    sa.Column("valid_until", sa.Date(), nullable=True),
    sa.Column("requested_date", sa.Date(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("warehouse_id", sa.Uuid(), nullable=True),
    sa.Column("opportunity_id", sa.Uuid(), nullable=True),
    sa.Column("delivery_address", sa.String(300), nullable=True),
    sa.Column("amount_total", Money(), nullable=False, server_default="0"),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("confirmed_at", UtcDateTime(), nullable=True),
    sa.Column("cancelled_at", UtcDateTime(), nullable=True),
    sa.Column("cancel_reason", sa.Text(), nullable=True),
    sa.CheckConstraint(f"state IN {ORDER_STATES!r}", name="state"),
    sa.Index("ix_sales_order_party", "party_id", "order_date"),
    sa.Index("ix_sales_order_state", "state"),
)
SCOPES["sales_order"] = "sales"
# confirming one laptop's quote while another cancels it is a person's call
GUARDED["sales_order"] = frozenset({"state"})

sales_order_line = synced_table(
    "sales_order_line",
    sa.Column("order_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("description", sa.String(300), nullable=True),
    sa.Column("qty", Quantity(), nullable=False),
    sa.Column("uom", sa.String(16), nullable=False),
    #: stock units per line unit (a box of 12 → 12)
    sa.Column("uom_factor", Quantity(), nullable=False, server_default="1"),
    sa.Column("unit_price", Quantity(), nullable=False),
    sa.Column("discount_pct", Quantity(), nullable=False, server_default="0"),
    sa.Column("amount", Money(), nullable=False),
    #: in stock units
    sa.Column("qty_delivered", Quantity(), nullable=False, server_default="0"),
    sa.Column("promised_date", sa.Date(), nullable=True),
    sa.CheckConstraint("qty > 0", name="qty_positive"),
    sa.Index("ix_sales_order_line_order", "order_id", "position"),
    sa.Index("ix_sales_order_line_product", "product_id"),
)
SCOPES["sales_order_line"] = "sales"
GUARDED["sales_order_line"] = frozenset({"qty", "unit_price", "discount_pct"})

delivery = synced_table(
    "delivery",
    sa.Column("number", sa.String(32), nullable=True, unique=True),
    sa.Column("order_id", sa.Uuid(), nullable=False),
    party_ref(),
    #: the customer's name and address as the clerk prints them (clerks do not pull the CRM)
    sa.Column("ship_to", sa.String(400), nullable=False, server_default=""),
    sa.Column("warehouse_id", sa.Uuid(), nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="ready"),
    #: the delivery this one carries the rest of (a backorder)
    sa.Column("backorder_of", sa.Uuid(), nullable=True),
    sa.Column("scheduled_date", sa.Date(), nullable=True),
    sa.Column("shipped_at", UtcDateTime(), nullable=True),
    sa.Column("shipped_by", sa.Uuid(), nullable=True),
    sa.CheckConstraint(f"state IN {DELIVERY_STATES!r}", name="state"),
    sa.Index("ix_delivery_order", "order_id"),
    sa.Index("ix_delivery_state", "state", "scheduled_date"),
)
SCOPES["delivery"] = "shipping"
GUARDED["delivery"] = frozenset({"state"})

delivery_line = synced_table(
    "delivery_line",
    sa.Column("delivery_id", sa.Uuid(), nullable=False),
    sa.Column("order_line_id", sa.Uuid(), nullable=False),
    sa.Column("product_id", sa.Uuid(), nullable=False),
    #: in stock units: what to ship, and what was picked
    sa.Column("qty", Quantity(), nullable=False),
    sa.Column("qty_done", Quantity(), nullable=False, server_default="0"),
    sa.Column("from_location_id", sa.Uuid(), nullable=True),
    sa.Index("ix_delivery_line_delivery", "delivery_id"),
)
SCOPES["delivery_line"] = "shipping"
