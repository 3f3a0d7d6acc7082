"""sync: first replicated tables, change capture, client state

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 21:46:47.174021
"""

import sqlalchemy as sa
from alembic import op

from app.core import schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: synced table → scope, as of this revision (later revisions add their own tables)
CAPTURED = {
    "app_user": "directory",
    "party": "crm",
    "contact": "crm",
    "activity": "crm",
    "product": "inventory",
    "location": "inventory",
    "stock_move": "inventory",
}


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("occurred_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('call','meeting','visit','task','note')", name=op.f("ck_activity_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    op.create_index("ix_activity_party", "activity", ["party_id", "occurred_at"], unique=False)
    op.create_table(
        "contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_pinyin", sa.String(length=300), server_default="", nullable=False),
        sa.Column("title", sa.String(length=80), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("birthday_lunar", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_index("ix_contact_party", "contact", ["party_id"], unique=False)
    op.create_table(
        "location",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), server_default="internal", nullable=False),
        sa.CheckConstraint(
            "kind IN ('internal','supplier','customer','adjustment')", name=op.f("ck_location_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("code", name=op.f("uq_location_code")),
    )
    op.create_table(
        "mutation_log",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("args_hash", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "mutation_id", name=op.f("pk_mutation_log")),
    )
    op.create_table(
        "party",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=8), server_default="company", nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_pinyin", sa.String(length=400), server_default="", nullable=False),
        sa.Column("name_initials", sa.String(length=200), server_default="", nullable=False),
        sa.Column("is_customer", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_supplier", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="prospect", nullable=False),
        sa.Column("tier", sa.String(length=4), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("credit_limit", schema.Money(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('company','person')", name=op.f("ck_party_kind")),
        sa.CheckConstraint("status IN ('prospect','active','dormant','lost')", name=op.f("ck_party_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
    )
    op.create_index("ix_party_name", "party", ["name"], unique=False)
    op.create_table(
        "product",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_pinyin", sa.String(length=400), server_default="", nullable=False),
        sa.Column("uom", sa.String(length=16), server_default="pcs", nullable=False),
        sa.Column("list_price", schema.Quantity(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_sku")),
    )
    op.create_table(
        "stock_move",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("qty", schema.Quantity(), nullable=False),
        sa.Column("from_location_id", sa.Uuid(), nullable=False),
        sa.Column("to_location_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("moved_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('receipt','delivery','transfer','adjustment','count')", name=op.f("ck_stock_move_kind")
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_stock_move_qty_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_move")),
    )
    op.create_index("ix_stock_move_product", "stock_move", ["product_id", "moved_at"], unique=False)
    op.create_table(
        "sync_client",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_mutation_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_sync_client_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_sync_client")),
    )

    # change capture (DESIGN §4): xid8 of the writing transaction + an order within it; pulls
    # serve only below the snapshot xmin, so a late committer is never skipped
    op.execute(
        """
        CREATE TABLE sync_change (
            xact_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            seq bigint GENERATED ALWAYS AS IDENTITY,
            scope text NOT NULL,
            tbl text NOT NULL,
            row_id uuid NOT NULL,
            op "char" NOT NULL,
            CONSTRAINT pk_sync_change PRIMARY KEY (xact_id, seq)
        )
        """
    )
    op.execute("CREATE INDEX ix_sync_change_row ON sync_change (tbl, row_id)")
    op.execute(
        """
        CREATE FUNCTION yiti_capture_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO sync_change (scope, tbl, row_id, op) VALUES (TG_ARGV[0], TG_TABLE_NAME, OLD.id, 'D');
                RETURN OLD;
            END IF;
            INSERT INTO sync_change (scope, tbl, row_id, op)
                VALUES (TG_ARGV[0], TG_TABLE_NAME, NEW.id, CASE TG_OP WHEN 'INSERT' THEN 'I' ELSE 'U' END);
            RETURN NEW;
        END
        $$
        """
    )
    for table, scope in CAPTURED.items():
        op.execute(
            f"CREATE TRIGGER {table}_sync AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION yiti_capture_change('{scope}')"
        )
    op.add_column(
        "tenant_info", sa.Column("compaction_floor", sa.BigInteger(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("tenant_info", "compaction_floor")
    for table in CAPTURED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_sync ON {table}")
    op.execute("DROP FUNCTION IF EXISTS yiti_capture_change() CASCADE")
    op.execute("DROP TABLE IF EXISTS sync_change")
    op.drop_table("sync_client")
    op.drop_index("ix_stock_move_product", table_name="stock_move")
    op.drop_table("stock_move")
    op.drop_table("product")
    op.drop_index("ix_party_name", table_name="party")
    op.drop_table("party")
    op.drop_table("mutation_log")
    op.drop_table("location")
    op.drop_index("ix_contact_party", table_name="contact")
    op.drop_table("contact")
    op.drop_index("ix_activity_party", table_name="activity")
    op.drop_table("activity")
