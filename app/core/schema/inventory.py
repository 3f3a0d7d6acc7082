"""Inventory tables: the product catalogue, warehouses and their locations, the stock ledger and
the projections the server keeps of it (DESIGN §2: stock is an append-only ledger).

On hand per product × location = Σ moves in − Σ moves out. ``stock_level`` (per product ×
location) and ``stock_valuation`` (per product: quantity in internal locations and its moving
average cost) are written only by the code that posts moves, in the server's apply order; the
client's copy is its estimate until the next sync.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.schema.base import APPEND_ONLY, GUARDED, SCOPES, party_ref, synced_table
from app.core.schema.types import Quantity, UtcDateTime

PRODUCT_KINDS = ("stocked", "consumable", "service")
WAREHOUSE_KINDS = ("factory", "distribution", "shop", "other")
LOCATION_KINDS = ("internal", "supplier", "customer", "adjustment", "production")
MOVE_KINDS = ("receipt", "delivery", "transfer", "adjustment", "count", "consume", "produce")

product_category = synced_table(
    "product_category",
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("parent_id", sa.Uuid(), nullable=True),
)
SCOPES["product_category"] = "inventory"

#: ``uom`` is the unit stock is kept in; product_uom lists other units (a box of 12) and
#: product_barcode the codes a scanner reads (a box's barcode counts its factor)
product = synced_table(
    "product",
    sa.Column("sku", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_pinyin", sa.String(400), nullable=False, server_default=""),
    sa.Column("uom", sa.String(16), nullable=False, server_default="pcs"),
    sa.Column("list_price", Quantity(), nullable=True),
    sa.Column("name_initials", sa.String(200), nullable=False, server_default=""),
    sa.Column("category_id", sa.Uuid(), nullable=True),
    sa.Column("kind", sa.String(12), nullable=False, server_default="stocked"),
    sa.Column("standard_cost", Quantity(), nullable=True),
    party_ref("default_supplier_id", nullable=True),
    sa.Column("lead_time_days", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("min_order_qty", Quantity(), nullable=True),
    sa.Column("order_multiple", Quantity(), nullable=True),
    sa.Column("reorder_point", Quantity(), nullable=True),
    sa.Column("safety_stock", Quantity(), nullable=True),
    sa.Column("abc_class", sa.String(1), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.CheckConstraint(f"kind IN {PRODUCT_KINDS!r}", name="kind"),
    sa.CheckConstraint("abc_class IN ('A','B','C')", name="abc_class"),
    sa.CheckConstraint("lead_time_days >= 0", name="lead_time"),
    sa.Index("ix_product_category", "category_id"),
)
SCOPES["product"] = "inventory"
GUARDED["product"] = frozenset({"list_price", "standard_cost"})

product_uom = synced_table(
    "product_uom",
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("uom", sa.String(16), nullable=False),
    #: how many of the product's stock unit one of this unit holds (box → 12)
    sa.Column("factor", Quantity(), nullable=False),
    sa.CheckConstraint("factor > 0", name="factor_positive"),
    sa.Index("ix_product_uom_product", "product_id", "uom"),
)
SCOPES["product_uom"] = "inventory"

product_barcode = synced_table(
    "product_barcode",
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("barcode", sa.String(64), nullable=False, unique=True),
    #: the unit the code stands for (None: the stock unit)
    sa.Column("uom", sa.String(16), nullable=True),
    sa.Index("ix_product_barcode_product", "product_id"),
)
SCOPES["product_barcode"] = "inventory"

warehouse = synced_table(
    "warehouse",
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False, server_default="distribution"),
    sa.Column("address", sa.String(300), nullable=True),
    sa.CheckConstraint(f"kind IN {WAREHOUSE_KINDS!r}", name="kind"),
)
SCOPES["warehouse"] = "inventory"

#: internal locations are a warehouse's bins; supplier, customer, adjustment and production are
#: the virtual ends of moves (no warehouse)
location = synced_table(
    "location",
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False, server_default="internal"),
    sa.Column("warehouse_id", sa.Uuid(), nullable=True),
    sa.CheckConstraint(f"kind IN {LOCATION_KINDS!r}", name="kind"),
    sa.Index("ix_location_warehouse", "warehouse_id"),
)
SCOPES["location"] = "inventory"

stock_move = synced_table(
    "stock_move",
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("qty", Quantity(), nullable=False),
    sa.Column("from_location_id", sa.Uuid(), nullable=False),
    sa.Column("to_location_id", sa.Uuid(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reference", sa.String(64), nullable=True),
    sa.Column("moved_at", UtcDateTime(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=True),
    #: receipts: the purchase price; other moves: the moving average when the server applied them
    sa.Column("unit_cost", Quantity(), nullable=True),
    #: the document the move belongs to (delivery, receipt, count) and its line
    sa.Column("document_id", sa.Uuid(), nullable=True),
    sa.Column("document_line_id", sa.Uuid(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.CheckConstraint("qty > 0", name="qty_positive"),
    sa.CheckConstraint(f"kind IN {MOVE_KINDS!r}", name="kind"),
    sa.Index("ix_stock_move_product", "product_id", "moved_at"),
    sa.Index("ix_stock_move_document", "document_id"),
)
SCOPES["stock_move"] = "inventory"
APPEND_ONLY.add("stock_move")

#: on hand per product × location (id: see app.erp.stock.level_id); a projection of stock_move
stock_level = synced_table(
    "stock_level",
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("location_id", sa.Uuid(), nullable=False),
    sa.Column("qty", Quantity(), nullable=False, server_default="0"),
    sa.Index("ix_stock_level_product", "product_id", "location_id"),
    sa.Index("ix_stock_level_location", "location_id"),
)
SCOPES["stock_level"] = "inventory"

#: per product (id = the product's id): quantity in internal locations and its moving average cost
stock_valuation = synced_table(
    "stock_valuation",
    sa.Column("qty", Quantity(), nullable=False, server_default="0"),
    sa.Column("avg_cost", Quantity(), nullable=False, server_default="0"),
)
SCOPES["stock_valuation"] = "inventory"

COUNT_STATES = ("counting", "review", "posted", "cancelled")

#: a count sheet: the lines to count (by location or ABC class), counted blind or not; variances
#: are reviewed before posting turns them into count moves
stock_count = synced_table(
    "stock_count",
    sa.Column("number", sa.String(32), nullable=True),
    sa.Column("warehouse_id", sa.Uuid(), nullable=False),
    sa.Column("location_id", sa.Uuid(), nullable=True),
    sa.Column("abc_class", sa.String(1), nullable=True),
    sa.Column("blind", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("state", sa.String(12), nullable=False, server_default="counting"),
    sa.Column("user_id", sa.Uuid(), nullable=True),
    sa.Column("posted_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint(f"state IN {COUNT_STATES!r}", name="state"),
)
SCOPES["stock_count"] = "inventory"
GUARDED["stock_count"] = frozenset({"state"})

stock_count_line = synced_table(
    "stock_count_line",
    sa.Column("count_id", sa.Uuid(), nullable=False),
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("location_id", sa.Uuid(), nullable=False),
    #: on hand when the sheet was made (hidden from a blind counter)
    sa.Column("expected_qty", Quantity(), nullable=False, server_default="0"),
    sa.Column("counted_qty", Quantity(), nullable=True),
    sa.Column("counted_by", sa.Uuid(), nullable=True),
    sa.Column("counted_at", UtcDateTime(), nullable=True),
    sa.Index("ix_stock_count_line_count", "count_id"),
)
SCOPES["stock_count_line"] = "inventory"
GUARDED["stock_count_line"] = frozenset({"counted_qty"})
