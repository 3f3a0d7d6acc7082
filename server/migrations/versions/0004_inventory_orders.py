"""Inventory and order fulfilment: the product catalogue (categories, units, barcodes, supplier and
planning fields), warehouses with bins, the stock ledger's cost and document columns, stock level and
valuation projections, count sheets, sales orders with deliveries, purchase orders with receipts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.core import schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: new synced tables → scope (change capture as in 0002)
CAPTURED = {
    "delivery": "shipping",
    "delivery_line": "shipping",
    "product_barcode": "inventory",
    "product_category": "inventory",
    "product_uom": "inventory",
    "purchase_order": "purchasing",
    "purchase_order_line": "purchasing",
    "receipt": "purchasing",
    "receipt_line": "purchasing",
    "sales_order": "sales",
    "sales_order_line": "sales",
    "stock_count": "inventory",
    "stock_count_line": "inventory",
    "stock_level": "inventory",
    "stock_valuation": "inventory",
    "warehouse": "inventory",
}

_OLD_LOCATION_KINDS = "kind IN ('internal','supplier','customer','adjustment')"
_OLD_MOVE_KINDS = "kind IN ('receipt','delivery','transfer','adjustment','count')"


def upgrade() -> None:
    op.create_table(
        "document_sequence",
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_document_sequence")),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("ship_to", sa.String(length=400), server_default="", nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=12), server_default="ready", nullable=False),
        sa.Column("backorder_of", sa.Uuid(), nullable=True),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("shipped_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("shipped_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("state IN ('ready', 'done', 'cancelled')", name=op.f("ck_delivery_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("number", name=op.f("uq_delivery_number")),
    )
    op.create_index("ix_delivery_order", "delivery", ["order_id"], unique=False)
    op.create_index("ix_delivery_state", "delivery", ["state", "scheduled_date"], unique=False)
    op.create_table(
        "delivery_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("qty", schema.Quantity(), nullable=False),
        sa.Column("qty_done", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("from_location_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_line")),
    )
    op.create_index("ix_delivery_line_delivery", "delivery_line", ["delivery_id"], unique=False)
    op.create_table(
        "product_barcode",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_barcode")),
        sa.UniqueConstraint("barcode", name=op.f("uq_product_barcode_barcode")),
    )
    op.create_index("ix_product_barcode_product", "product_barcode", ["product_id"], unique=False)
    op.create_table(
        "product_category",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_category")),
        sa.UniqueConstraint("code", name=op.f("uq_product_category_code")),
    )
    op.create_table(
        "product_uom",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=False),
        sa.Column("factor", schema.Quantity(), nullable=False),
        sa.CheckConstraint("factor > 0", name=op.f("ck_product_uom_factor_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_uom")),
    )
    op.create_index("ix_product_uom_product", "product_uom", ["product_id", "uom"], unique=False)
    op.create_table(
        "purchase_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=12), server_default="draft", nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="CNY", nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("amount_total", schema.Money(), server_default="0", nullable=False),
        sa.Column("over_receipt_pct", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("confirmed_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'sent', 'confirmed', 'received', 'cancelled')", name=op.f("ck_purchase_order_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_order_number")),
    )
    op.create_index("ix_purchase_order_party", "purchase_order", ["party_id", "order_date"], unique=False)
    op.create_index("ix_purchase_order_state", "purchase_order", ["state"], unique=False)
    op.create_table(
        "purchase_order_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("qty", schema.Quantity(), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=False),
        sa.Column("uom_factor", schema.Quantity(), server_default="1", nullable=False),
        sa.Column("unit_price", schema.Quantity(), nullable=False),
        sa.Column("amount", schema.Money(), nullable=False),
        sa.Column("qty_received", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.CheckConstraint("qty > 0", name=op.f("ck_purchase_order_line_qty_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_line")),
    )
    op.create_index("ix_purchase_order_line_order", "purchase_order_line", ["order_id", "position"], unique=False)
    op.create_index("ix_purchase_order_line_product", "purchase_order_line", ["product_id"], unique=False)
    op.create_table(
        "receipt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("party_id", sa.Uuid(), nullable=True),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
        sa.UniqueConstraint("number", name=op.f("uq_receipt_number")),
    )
    op.create_index("ix_receipt_order", "receipt", ["order_id"], unique=False)
    op.create_table(
        "receipt_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("qty", schema.Quantity(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("unit_cost", schema.Quantity(), nullable=True),
        sa.CheckConstraint("qty > 0", name=op.f("ck_receipt_line_qty_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_line")),
    )
    op.create_index("ix_receipt_line_receipt", "receipt_line", ["receipt_id"], unique=False)
    op.create_table(
        "sales_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=12), server_default="draft", nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="CNY", nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=True),
        sa.Column("opportunity_id", sa.Uuid(), nullable=True),
        sa.Column("delivery_address", sa.String(length=300), nullable=True),
        sa.Column("amount_total", schema.Money(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sent_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'sent', 'confirmed', 'done', 'cancelled')", name=op.f("ck_sales_order_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order")),
        sa.UniqueConstraint("number", name=op.f("uq_sales_order_number")),
    )
    op.create_index("ix_sales_order_party", "sales_order", ["party_id", "order_date"], unique=False)
    op.create_index("ix_sales_order_state", "sales_order", ["state"], unique=False)
    op.create_table(
        "sales_order_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("qty", schema.Quantity(), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=False),
        sa.Column("uom_factor", schema.Quantity(), server_default="1", nullable=False),
        sa.Column("unit_price", schema.Quantity(), nullable=False),
        sa.Column("discount_pct", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("amount", schema.Money(), nullable=False),
        sa.Column("qty_delivered", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.CheckConstraint("qty > 0", name=op.f("ck_sales_order_line_qty_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_line")),
    )
    op.create_index("ix_sales_order_line_order", "sales_order_line", ["order_id", "position"], unique=False)
    op.create_index("ix_sales_order_line_product", "sales_order_line", ["product_id"], unique=False)
    op.create_table(
        "stock_count",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("abc_class", sa.String(length=1), nullable=True),
        sa.Column("blind", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("state", sa.String(length=12), server_default="counting", nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("posted_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('counting', 'review', 'posted', 'cancelled')", name=op.f("ck_stock_count_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count")),
    )
    op.create_table(
        "stock_count_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("count_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("expected_qty", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("counted_qty", schema.Quantity(), nullable=True),
        sa.Column("counted_by", sa.Uuid(), nullable=True),
        sa.Column("counted_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count_line")),
    )
    op.create_index("ix_stock_count_line_count", "stock_count_line", ["count_id"], unique=False)
    op.create_table(
        "stock_level",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("qty", schema.Quantity(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_level")),
    )
    op.create_index("ix_stock_level_location", "stock_level", ["location_id"], unique=False)
    op.create_index("ix_stock_level_product", "stock_level", ["product_id", "location_id"], unique=False)
    op.create_table(
        "stock_valuation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("qty", schema.Quantity(), server_default="0", nullable=False),
        sa.Column("avg_cost", schema.Quantity(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_valuation")),
    )
    op.create_table(
        "warehouse",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), server_default="distribution", nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.CheckConstraint("kind IN ('factory', 'distribution', 'shop', 'other')", name=op.f("ck_warehouse_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse")),
        sa.UniqueConstraint("code", name=op.f("uq_warehouse_code")),
    )
    op.add_column("location", sa.Column("warehouse_id", sa.Uuid(), nullable=True))
    op.create_index("ix_location_warehouse", "location", ["warehouse_id"], unique=False)
    op.add_column("product", sa.Column("name_initials", sa.String(length=200), server_default="", nullable=False))
    op.add_column("product", sa.Column("category_id", sa.Uuid(), nullable=True))
    op.add_column("product", sa.Column("kind", sa.String(length=12), server_default="stocked", nullable=False))
    op.add_column("product", sa.Column("standard_cost", schema.Quantity(), nullable=True))
    op.add_column("product", sa.Column("default_supplier_id", sa.Uuid(), nullable=True))
    op.add_column("product", sa.Column("lead_time_days", sa.Integer(), server_default="0", nullable=False))
    op.add_column("product", sa.Column("min_order_qty", schema.Quantity(), nullable=True))
    op.add_column("product", sa.Column("order_multiple", schema.Quantity(), nullable=True))
    op.add_column("product", sa.Column("reorder_point", schema.Quantity(), nullable=True))
    op.add_column("product", sa.Column("safety_stock", schema.Quantity(), nullable=True))
    op.add_column("product", sa.Column("abc_class", sa.String(length=1), nullable=True))
    op.add_column("product", sa.Column("notes", sa.Text(), nullable=True))
    op.create_index("ix_product_category", "product", ["category_id"], unique=False)
    op.add_column("stock_move", sa.Column("unit_cost", schema.Quantity(), nullable=True))
    op.add_column("stock_move", sa.Column("document_id", sa.Uuid(), nullable=True))
    op.add_column("stock_move", sa.Column("document_line_id", sa.Uuid(), nullable=True))
    op.add_column("stock_move", sa.Column("reason", sa.Text(), nullable=True))
    op.create_index("ix_stock_move_document", "stock_move", ["document_id"], unique=False)
    op.drop_constraint(op.f("ck_location_kind"), "location", type_="check")
    op.create_check_constraint(
        "kind", "location", "kind IN ('internal', 'supplier', 'customer', 'adjustment', 'production')"
    )
    op.drop_constraint(op.f("ck_stock_move_kind"), "stock_move", type_="check")
    op.create_check_constraint(
        "kind", "stock_move", "kind IN ('receipt', 'delivery', 'transfer', 'adjustment', 'count', 'consume', 'produce')"
    )
    op.create_check_constraint("kind", "product", "kind IN ('stocked', 'consumable', 'service')")
    op.create_check_constraint("abc_class", "product", "abc_class IN ('A','B','C')")
    op.create_check_constraint("lead_time", "product", "lead_time_days >= 0")
    for table, scope in CAPTURED.items():
        op.execute(
            f"CREATE TRIGGER {table}_sync AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION yiti_capture_change('{scope}')"
        )


def downgrade() -> None:
    for table in CAPTURED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_sync ON {table}")
    op.drop_constraint(op.f("ck_product_lead_time"), "product", type_="check")
    op.drop_constraint(op.f("ck_product_abc_class"), "product", type_="check")
    op.drop_constraint(op.f("ck_product_kind"), "product", type_="check")
    op.drop_constraint(op.f("ck_stock_move_kind"), "stock_move", type_="check")
    op.create_check_constraint("kind", "stock_move", _OLD_MOVE_KINDS)
    op.drop_constraint(op.f("ck_location_kind"), "location", type_="check")
    op.create_check_constraint("kind", "location", _OLD_LOCATION_KINDS)

    op.drop_index("ix_stock_move_document", table_name="stock_move")
    op.drop_column("stock_move", "reason")
    op.drop_column("stock_move", "document_line_id")
    op.drop_column("stock_move", "document_id")
    op.drop_column("stock_move", "unit_cost")
    op.drop_index("ix_product_category", table_name="product")
    op.drop_column("product", "notes")
    op.drop_column("product", "abc_class")
    op.drop_column("product", "safety_stock")
    op.drop_column("product", "reorder_point")
    op.drop_column("product", "order_multiple")
    op.drop_column("product", "min_order_qty")
    op.drop_column("product", "lead_time_days")
    op.drop_column("product", "default_supplier_id")
    op.drop_column("product", "standard_cost")
    op.drop_column("product", "kind")
    op.drop_column("product", "category_id")
    op.drop_column("product", "name_initials")
    op.drop_index("ix_location_warehouse", table_name="location")
    op.drop_column("location", "warehouse_id")
    op.drop_table("warehouse")
    op.drop_table("stock_valuation")
    op.drop_index("ix_stock_level_product", table_name="stock_level")
    op.drop_index("ix_stock_level_location", table_name="stock_level")
    op.drop_table("stock_level")
    op.drop_index("ix_stock_count_line_count", table_name="stock_count_line")
    op.drop_table("stock_count_line")
    op.drop_table("stock_count")
    op.drop_index("ix_sales_order_line_product", table_name="sales_order_line")
    op.drop_index("ix_sales_order_line_order", table_name="sales_order_line")
    op.drop_table("sales_order_line")
    op.drop_index("ix_sales_order_state", table_name="sales_order")
    op.drop_index("ix_sales_order_party", table_name="sales_order")
    op.drop_table("sales_order")
    op.drop_index("ix_receipt_line_receipt", table_name="receipt_line")
    op.drop_table("receipt_line")
    op.drop_index("ix_receipt_order", table_name="receipt")
    op.drop_table("receipt")
    op.drop_index("ix_purchase_order_line_product", table_name="purchase_order_line")
    op.drop_index("ix_purchase_order_line_order", table_name="purchase_order_line")
    op.drop_table("purchase_order_line")
    op.drop_index("ix_purchase_order_state", table_name="purchase_order")
    op.drop_index("ix_purchase_order_party", table_name="purchase_order")
    op.drop_table("purchase_order")
    op.drop_index("ix_product_uom_product", table_name="product_uom")
    op.drop_table("product_uom")
    op.drop_table("product_category")
    op.drop_index("ix_product_barcode_product", table_name="product_barcode")
    op.drop_table("product_barcode")
    op.drop_index("ix_delivery_line_delivery", table_name="delivery_line")
    op.drop_table("delivery_line")
    op.drop_index("ix_delivery_state", table_name="delivery")
    op.drop_index("ix_delivery_order", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("document_sequence")
