"""Tables only the server has: the control database's tenant registry, and per tenant the
identity, credential, token and throttle state (never replicated to clients)."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.schema import UtcDateTime, metadata

# --- control database (one per cluster) --------------------------------------------------------
control_metadata = sa.MetaData()

tenant = sa.Table(
    "tenant",
    control_metadata,
    sa.Column("slug", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.Uuid(), nullable=False, unique=True),
    sa.Column("dbname", sa.String(63), nullable=False, unique=True),
    #: another cluster's URL when this tenant's database lives elsewhere (scale-out); NULL = here
    sa.Column("dsn", sa.Text(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

# --- tenant database: added to the shared metadata so one alembic history covers the database --
tenant_info = sa.Table(
    "tenant_info",
    metadata,
    sa.Column("singleton", sa.Boolean(), primary_key=True, server_default=sa.true()),
    sa.Column("tenant_id", sa.Uuid(), nullable=False),
    sa.Column("slug", sa.String(40), nullable=False),
    #: bumped on restore: every client cursor from before is void and the client resyncs
    sa.Column("epoch", sa.BigInteger(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("restored_at", UtcDateTime(), nullable=True),
    #: change-log cursors below this xid were compacted away (migration 0002)
    sa.Column("compaction_floor", sa.BigInteger(), nullable=False, server_default="0"),
    sa.CheckConstraint("singleton", name="single_row"),
)

user_credential = sa.Table(
    "user_credential",
    metadata,
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("password_hash", sa.Text(), nullable=False),
    sa.Column("password_changed_at", UtcDateTime(), nullable=False),
)

auth_token = sa.Table(
    "auth_token",
    metadata,
    #: sha256 of the opaque token; the token itself is never stored
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    #: the access and refresh tokens of one sign-in, and all their rotations, share a family
    sa.Column("family", sa.Uuid(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('access','refresh')", name="kind"),
    sa.Index("ix_auth_token_user", "user_id"),
    sa.Index("ix_auth_token_family", "family"),
)

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_failure_at", UtcDateTime(), nullable=True),
    sa.Column("locked_until", UtcDateTime(), nullable=True),
)

#: state that a restore empties: a restored tenant trusts no earlier token or client state
RESET_ON_RESTORE: tuple[str, ...] = ("auth_token", "login_throttle")

# --- sync state (DESIGN §4) ----------------------------------------------------------------------
#: one row per synced client: exactly-once needs the last mutation id it applied
sync_client = sa.Table(
    "sync_client",
    metadata,
    sa.Column("client_id", sa.Uuid(), primary_key=True),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("last_mutation_id", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
)

#: the stored result of every mutation, so a resent one gets the same answer and runs once
mutation_log = sa.Table(
    "mutation_log",
    metadata,
    sa.Column("client_id", sa.Uuid(), primary_key=True),
    sa.Column("mutation_id", sa.BigInteger(), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("args_hash", sa.String(32), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("result", sa.JSON(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

RESET_ON_RESTORE = (*RESET_ON_RESTORE, "sync_client", "mutation_log")

# --- documents (DESIGN §2) ------------------------------------------------------------------------
#: the last number given in each series and year: numbers are assigned by the server when a document
#: first syncs, never two documents with one number
document_sequence = sa.Table(
    "document_sequence",
    metadata,
    sa.Column("series", sa.String(8), primary_key=True),
    sa.Column("year", sa.Integer(), primary_key=True),
    sa.Column("last", sa.BigInteger(), nullable=False),
)
