"""CRM: customers' full profile, contact background and family, tasks and visit check-ins, leads,
opportunities, service cases, custom fields, shares and saved filters

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.core import schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: new synced tables → scope (change capture as in 0002)
CAPTURED = {
    "contact_family": "crm",
    "lead": "crm",
    "opportunity": "crm",
    "service_case": "crm",
    "custom_field": "crm",
    "party_share": "crm",
    "saved_filter": "crm",
}


def upgrade() -> None:
    op.create_table(
        "contact_family",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("birthday_lunar", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("relation IN ('spouse','child','parent','other')", name=op.f("ck_contact_family_relation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_family")),
    )
    op.create_index("ix_contact_family_contact", "contact_family", ["contact_id"], unique=False)
    op.create_table(
        "custom_field",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label_zh", sa.String(length=80), nullable=False),
        sa.Column("label_en", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("choices", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("required", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("type IN ('text','number','date','choice')", name=op.f("ck_custom_field_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_field")),
        sa.UniqueConstraint("key", name=op.f("uq_custom_field_key")),
    )
    op.create_table(
        "lead",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_pinyin", sa.String(length=300), server_default="", nullable=False),
        sa.Column("name_initials", sa.String(length=120), server_default="", nullable=False),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=80), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("wechat", sa.String(length=80), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), server_default="new", nullable=False),
        sa.Column("disqualify_reason", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("converted_party_id", sa.Uuid(), nullable=True),
        sa.Column("converted_contact_id", sa.Uuid(), nullable=True),
        sa.Column("converted_opportunity_id", sa.Uuid(), nullable=True),
        sa.Column("converted_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('new','qualified','disqualified','converted')", name=op.f("ck_lead_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
    )
    op.create_index("ix_lead_owner", "lead", ["owner_id", "status"], unique=False)
    op.create_table(
        "opportunity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=12), server_default="lead_in", nullable=False),
        sa.Column("amount", schema.Money(), server_default="0", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="CNY", nullable=False),
        sa.Column("probability", sa.Integer(), server_default="10", nullable=False),
        sa.Column("probability_fixed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "stage IN ('lead_in', 'qualified', 'proposal', 'negotiation', 'won', 'lost')",
            name=op.f("ck_opportunity_stage"),
        ),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name=op.f("ck_opportunity_probability")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
    )
    op.create_index("ix_opportunity_owner", "opportunity", ["owner_id", "stage"], unique=False)
    op.create_index("ix_opportunity_party", "opportunity", ["party_id"], unique=False)
    op.create_table(
        "party_share",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_share")),
    )
    op.create_index("ix_party_share_party", "party_share", ["party_id", "user_id"], unique=False)
    op.create_index("ix_party_share_user", "party_share", ["user_id"], unique=False)
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filter")),
    )
    op.create_index("ix_saved_filter_user", "saved_filter", ["user_id"], unique=False)
    op.create_table(
        "service_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(length=8), server_default="normal", nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("opened_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("priority IN ('low','normal','high','urgent')", name=op.f("ck_service_case_priority")),
        sa.CheckConstraint(
            "status IN ('open','in_progress','waiting','resolved','closed')", name=op.f("ck_service_case_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_case")),
    )
    op.create_index("ix_service_case_assignee", "service_case", ["assignee_id", "status"], unique=False)
    op.create_index("ix_service_case_party", "service_case", ["party_id", "opened_at"], unique=False)
    op.add_column("activity", sa.Column("done", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("activity", sa.Column("done_at", schema.UtcDateTime(timezone=True), nullable=True))
    op.add_column("activity", sa.Column("due_at", schema.UtcDateTime(timezone=True), nullable=True))
    op.add_column("activity", sa.Column("remind_at", schema.UtcDateTime(timezone=True), nullable=True))
    op.add_column("activity", sa.Column("place", sa.String(length=200), nullable=True))
    op.add_column("activity", sa.Column("address", sa.String(length=300), nullable=True))
    op.add_column("activity", sa.Column("latitude", schema.Coordinate(), nullable=True))
    op.add_column("activity", sa.Column("longitude", schema.Coordinate(), nullable=True))
    op.add_column("activity", sa.Column("checked_in_at", schema.UtcDateTime(timezone=True), nullable=True))
    op.add_column("activity", sa.Column("checked_out_at", schema.UtcDateTime(timezone=True), nullable=True))
    op.add_column("activity", sa.Column("duration_minutes", sa.Integer(), nullable=True))
    op.add_column("activity", sa.Column("outcome", sa.Text(), nullable=True))
    op.create_index("ix_activity_user_due", "activity", ["user_id", "due_at"], unique=False)
    op.add_column("contact", sa.Column("name_initials", sa.String(length=120), server_default="", nullable=False))
    op.add_column("contact", sa.Column("mobile", sa.String(length=40), nullable=True))
    op.add_column("contact", sa.Column("wechat", sa.String(length=80), nullable=True))
    op.add_column("contact", sa.Column("buying_role", sa.String(length=16), nullable=True))
    op.add_column("contact", sa.Column("interests", sa.Text(), nullable=True))
    op.add_column("contact", sa.Column("preferred_channel", sa.String(length=8), nullable=True))
    op.add_column("party", sa.Column("industry", sa.String(length=80), nullable=True))
    op.add_column("party", sa.Column("territory", sa.String(length=80), nullable=True))
    op.add_column("party", sa.Column("website", sa.String(length=200), nullable=True))
    op.add_column("party", sa.Column("wechat", sa.String(length=80), nullable=True))
    op.add_column("party", sa.Column("source", sa.String(length=40), nullable=True))
    op.add_column("party", sa.Column("phone2", sa.String(length=40), nullable=True))
    op.add_column("party", sa.Column("country", sa.String(length=80), nullable=True))
    op.add_column("party", sa.Column("province", sa.String(length=80), nullable=True))
    op.add_column("party", sa.Column("district", sa.String(length=80), nullable=True))
    op.add_column("party", sa.Column("street", sa.String(length=300), nullable=True))
    op.add_column("party", sa.Column("postcode", sa.String(length=20), nullable=True))
    op.add_column("party", sa.Column("tags", sa.Text(), server_default="", nullable=False))
    op.add_column("party", sa.Column("custom_values", sa.Text(), nullable=True))
    op.add_column("party", sa.Column("merged_into", sa.Uuid(), nullable=True))
    op.create_index("ix_party_owner", "party", ["owner_id"], unique=False)
    op.create_check_constraint(
        "buying_role",
        "contact",
        "buying_role IN ('decision_maker', 'influencer', 'user', 'gatekeeper', 'other')",
    )
    op.create_check_constraint(
        "preferred_channel", "contact", "preferred_channel IN ('phone', 'wechat', 'email', 'visit')"
    )
    for table, scope in CAPTURED.items():
        op.execute(
            f"CREATE TRIGGER {table}_sync AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION yiti_capture_change('{scope}')"
        )


def downgrade() -> None:
    for table in CAPTURED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_sync ON {table}")
    op.drop_constraint(op.f("ck_contact_preferred_channel"), "contact", type_="check")
    op.drop_constraint(op.f("ck_contact_buying_role"), "contact", type_="check")
    op.drop_index("ix_party_owner", table_name="party")
    for column in (
        "merged_into",
        "custom_values",
        "tags",
        "postcode",
        "street",
        "district",
        "province",
        "country",
        "phone2",
        "source",
        "wechat",
        "website",
        "territory",
        "industry",
    ):
        op.drop_column("party", column)
    for column in ("preferred_channel", "interests", "buying_role", "wechat", "mobile", "name_initials"):
        op.drop_column("contact", column)
    op.drop_index("ix_activity_user_due", table_name="activity")
    for column in (
        "outcome",
        "duration_minutes",
        "checked_out_at",
        "checked_in_at",
        "longitude",
        "latitude",
        "address",
        "place",
        "remind_at",
        "due_at",
        "done_at",
        "done",
    ):
        op.drop_column("activity", column)
    for table in (
        "service_case",
        "saved_filter",
        "party_share",
        "opportunity",
        "lead",
        "custom_field",
        "contact_family",
    ):
        op.drop_table(table)
