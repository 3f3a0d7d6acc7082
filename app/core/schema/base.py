"""The shared metadata, the common columns of every synced row, and the registries the sync engine
reads: which tables replicate, in which scope, which fields are guarded, which only accumulate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.core.schema.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: tables that clients replicate; the sync issue attaches change capture to each
SYNCED_TABLES: list[str] = []


def synced_table(name: str, *columns: sa.schema.SchemaItem) -> sa.Table:
    """A replicated table with the common columns every synced row carries (DESIGN §2)."""
    table = sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
        *columns,
    )
    SYNCED_TABLES.append(name)
    return table


ROLES = ("admin", "manager", "sales_rep", "clerk", "planner")

#: the tenant's users as every client may see them (owner pickers, "assigned to"); secrets stay
#: in the server's own tables
app_user = synced_table(
    "app_user",
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("locale", sa.String(8), nullable=False, server_default="zh_CN"),
    sa.CheckConstraint("role IN ('admin','manager','sales_rep','clerk','planner')", name="role"),
)

# --- the first replicated business tables (the CRM and inventory issues extend them) -----------
#: table → scope: a role pulls only the scopes the permission matrix grants it (DESIGN §4)
SCOPES: dict[str, str] = {"app_user": "directory"}
#: fields whose clashes go to the conflict inbox instead of "later write wins"
GUARDED: dict[str, frozenset[str]] = {}
#: tables whose rows only accumulate: never a conflict (DESIGN §4)
APPEND_ONLY: set[str] = set()

def party_ref(name: str = "party_id", nullable: bool = False) -> sa.Column[Any]:
    """A column that points to a party: a customer merge moves every such column (any area's)."""
    return sa.Column(name, sa.Uuid(), nullable=nullable, info={"refers_to": "party"})


