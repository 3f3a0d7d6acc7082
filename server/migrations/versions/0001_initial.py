"""initial schema: users, credentials, tokens, throttle, tenant info

Revision ID: 0001
Revises:
Create Date: 2026-12-03 21:40:58.003897
"""

import sqlalchemy as sa
from alembic import op

from app.core import schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("locale", sa.String(length=8), server_default="zh_CN", nullable=False),
        sa.CheckConstraint(
            "role IN ('admin','manager','sales_rep','clerk','planner')", name=op.f("ck_app_user_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failure_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", schema.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "tenant_info",
        sa.Column("singleton", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("restored_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("singleton", name=op.f("ck_tenant_info_single_row")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_tenant_info")),
    )
    op.create_table(
        "auth_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("family", sa.Uuid(), nullable=False),
        sa.Column("created_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", schema.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('access','refresh')", name=op.f("ck_auth_token_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_auth_token_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_token")),
    )
    op.create_index("ix_auth_token_family", "auth_token", ["family"], unique=False)
    op.create_index("ix_auth_token_user", "auth_token", ["user_id"], unique=False)
    op.create_table(
        "user_credential",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("password_changed_at", schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_credential_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_credential")),
    )


def downgrade() -> None:
    op.drop_table("user_credential")
    op.drop_index("ix_auth_token_user", table_name="auth_token")
    op.drop_index("ix_auth_token_family", table_name="auth_token")
    op.drop_table("auth_token")
    op.drop_table("tenant_info")
    op.drop_table("login_throttle")
    op.drop_table("app_user")
