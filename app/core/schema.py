"""Every synced table, as SQLAlchemy Core, valid on SQLite (client cache) and Postgres (server).

Column types keep values exact on both engines (DESIGN §2):
* ``Money`` / ``Quantity``: NUMERIC on Postgres; on SQLite integer cents / integer ×10⁴, because
  SQLAlchemy's Numeric is stored as REAL there and SQL sums would drift.
* ``UtcDateTime``: timestamptz on Postgres; on SQLite an ISO-8601 UTC string (sortable), read
  back timezone-aware. Naive datetimes are refused on write.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.core.money import AMOUNT_PLACES, QUANTITY_PLACES, from_scaled_int, scaled_int, to_decimal

#: NUMERIC(18, places) holds fewer than 18 digits; the same limit on SQLite's 64-bit integers
_MAX_SCALED = 10**18 - 1
#: SQL arithmetic whose result on SQLite's scaled integers would not match Postgres
_SCALING_OPS: set[Callable[..., Any]] = {operator.mul, operator.truediv, operator.floordiv, operator.mod}


class _ScaledDecimal(TypeDecorator[Decimal]):
    impl = sa.Numeric
    cache_ok = True
    places: int = 2

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(18, self.places))

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # `amount * 2` must bind 2, not 2.00 as 200 cents on SQLite; a Decimal factor or a division
        # cannot stay exact on SQLite's integers, so do that in Python (money.line_amount)
        if op in _SCALING_OPS:
            if op is operator.mul and isinstance(value, int) and not isinstance(value, bool):
                return sa.Integer()
            raise TypeError(
                f"{type(self).__name__} supports only multiplication by an int in SQL; "
                "compute other products and quotients in Python"
            )
        return self

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = to_decimal(value)
        scaled = scaled_int(number, self.places)  # same precision and range rule on every engine
        if abs(scaled) > _MAX_SCALED:
            raise ValueError(f"{number} does not fit NUMERIC(18,{self.places})")
        if dialect.name == "sqlite":
            return scaled
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return from_scaled_int(int(value), self.places)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.places))


class Money(_ScaledDecimal):
    """An amount with 2 decimals: NUMERIC(18,2) / integer cents on SQLite."""

    places = AMOUNT_PLACES
    cache_ok = True


class Quantity(_ScaledDecimal):
    """A quantity or unit price with 4 decimals: NUMERIC(18,4) / integer ×10⁴ on SQLite."""

    places = QUANTITY_PLACES
    cache_ok = True


class Coordinate(_ScaledDecimal):
    """A latitude or longitude in degrees, 6 decimals (about 0.1 m): integer ×10⁶ on SQLite."""

    places = 6
    cache_ok = True


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant, always returned in UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(32))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass a timezone-aware value")
        utc = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return utc.isoformat(timespec="microseconds")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:  # a value written by something else than this type
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def total(column: sa.ColumnElement[Decimal]) -> sa.ColumnElement[Decimal]:
    """SUM of a Money or Quantity column, exact on both engines and 0 (not NULL) over no rows.

    Use it instead of ``func.avg`` / SQLite's ``total()``, which return floats of the raw integers.
    """
    if not isinstance(column.type, _ScaledDecimal):
        raise TypeError(f"total() sums Money or Quantity columns, not {column.type!r}")
    return sa.func.coalesce(sa.func.sum(column), 0, type_=column.type)


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


#: a Chinese and a Western address in the same fields (province/city/district/street; street, city,
#: postcode, country); tags as "|tag|tag|" (normalized, so LIKE '%|tag|%' finds one); custom field
#: values as JSON keyed by custom_field.id
party = synced_table(
    "party",
    sa.Column("code", sa.String(32), nullable=True),
    sa.Column("kind", sa.String(8), nullable=False, server_default="company"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_pinyin", sa.String(400), nullable=False, server_default=""),
    sa.Column("name_initials", sa.String(200), nullable=False, server_default=""),
    sa.Column("is_customer", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("is_supplier", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(16), nullable=False, server_default="prospect"),
    sa.Column("tier", sa.String(4), nullable=True),
    sa.Column("owner_id", sa.Uuid(), nullable=True),
    sa.Column("phone", sa.String(40), nullable=True),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("city", sa.String(80), nullable=True),
    sa.Column("credit_limit", Money(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("industry", sa.String(80), nullable=True),
    sa.Column("territory", sa.String(80), nullable=True),
    sa.Column("website", sa.String(200), nullable=True),
    sa.Column("wechat", sa.String(80), nullable=True),
    sa.Column("source", sa.String(40), nullable=True),
    sa.Column("phone2", sa.String(40), nullable=True),
    sa.Column("country", sa.String(80), nullable=True),
    sa.Column("province", sa.String(80), nullable=True),
    sa.Column("district", sa.String(80), nullable=True),
    sa.Column("street", sa.String(300), nullable=True),
    sa.Column("postcode", sa.String(20), nullable=True),
    sa.Column("tags", sa.Text(), nullable=False, server_default=""),
    sa.Column("custom_values", sa.Text(), nullable=True),
    sa.Column("merged_into", sa.Uuid(), nullable=True),
    sa.CheckConstraint("kind IN ('company','person')", name="kind"),
    sa.CheckConstraint("status IN ('prospect','active','dormant','lost')", name="status"),
    sa.Index("ix_party_name", "name"),
    sa.Index("ix_party_owner", "owner_id"),
)
SCOPES["party"] = "crm"
# credit limit: money a manager signs off; status: "lost" vs "active" must not flip silently;
# owner: two managers reassigning one customer decide who keeps it
GUARDED["party"] = frozenset({"credit_limit", "status", "owner_id"})

BUYING_ROLES = ("decision_maker", "influencer", "user", "gatekeeper", "other")
CHANNELS = ("phone", "wechat", "email", "visit")

contact = synced_table(
    "contact",
    party_ref(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("name_pinyin", sa.String(300), nullable=False, server_default=""),
    sa.Column("title", sa.String(80), nullable=True),
    sa.Column("phone", sa.String(40), nullable=True),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("birthday", sa.Date(), nullable=True),
    # a lunar birthday keeps the lunar month and day in `birthday` (its year is the birth year)
    sa.Column("birthday_lunar", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("name_initials", sa.String(120), nullable=False, server_default=""),
    sa.Column("mobile", sa.String(40), nullable=True),
    sa.Column("wechat", sa.String(80), nullable=True),
    sa.Column("buying_role", sa.String(16), nullable=True),
    sa.Column("interests", sa.Text(), nullable=True),
    sa.Column("preferred_channel", sa.String(8), nullable=True),
    sa.CheckConstraint(f"buying_role IN {BUYING_ROLES!r}", name="buying_role"),
    sa.CheckConstraint(f"preferred_channel IN {CHANNELS!r}", name="preferred_channel"),
    sa.Index("ix_contact_party", "party_id"),
)
SCOPES["contact"] = "crm"

contact_family = synced_table(
    "contact_family",
    sa.Column("contact_id", sa.Uuid(), nullable=False),
    sa.Column("relation", sa.String(8), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("birthday", sa.Date(), nullable=True),
    sa.Column("birthday_lunar", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.CheckConstraint("relation IN ('spouse','child','parent','other')", name="relation"),
    sa.Index("ix_contact_family_contact", "contact_id"),
)
SCOPES["contact_family"] = "crm"

#: calls, meetings, visits and notes are logged once and never edited; tasks are completed and
#: rescheduled (see GUARDED below). Visits carry a check-in: place, address, optional coordinates.
activity = synced_table(
    "activity",
    party_ref(),
    sa.Column("contact_id", sa.Uuid(), nullable=True),
    sa.Column("user_id", sa.Uuid(), nullable=True),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=True),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("done_at", UtcDateTime(), nullable=True),
    sa.Column("due_at", UtcDateTime(), nullable=True),
    sa.Column("remind_at", UtcDateTime(), nullable=True),
    sa.Column("place", sa.String(200), nullable=True),
    sa.Column("address", sa.String(300), nullable=True),
    sa.Column("latitude", Coordinate(), nullable=True),
    sa.Column("longitude", Coordinate(), nullable=True),
    sa.Column("checked_in_at", UtcDateTime(), nullable=True),
    sa.Column("checked_out_at", UtcDateTime(), nullable=True),
    sa.Column("duration_minutes", sa.Integer(), nullable=True),
    sa.Column("outcome", sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('call','meeting','visit','task','note')", name="kind"),
    sa.Index("ix_activity_party", "party_id", "occurred_at"),
    sa.Index("ix_activity_user_due", "user_id", "due_at"),
)
SCOPES["activity"] = "crm"
# a task done on one laptop and rescheduled on another, or rescheduled twice, is a person's call
GUARDED["activity"] = frozenset({"done", "due_at"})

lead = synced_table(
    "lead",
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("name_pinyin", sa.String(300), nullable=False, server_default=""),
    sa.Column("name_initials", sa.String(120), nullable=False, server_default=""),
    sa.Column("company", sa.String(200), nullable=True),
    sa.Column("title", sa.String(80), nullable=True),
    sa.Column("phone", sa.String(40), nullable=True),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("wechat", sa.String(80), nullable=True),
    sa.Column("city", sa.String(80), nullable=True),
    sa.Column("source", sa.String(40), nullable=True),
    sa.Column("status", sa.String(12), nullable=False, server_default="new"),
    sa.Column("disqualify_reason", sa.Text(), nullable=True),
    sa.Column("owner_id", sa.Uuid(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    party_ref("converted_party_id", nullable=True),
    sa.Column("converted_contact_id", sa.Uuid(), nullable=True),
    sa.Column("converted_opportunity_id", sa.Uuid(), nullable=True),
    sa.Column("converted_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('new','qualified','disqualified','converted')", name="status"),
    sa.Index("ix_lead_owner", "owner_id", "status"),
)
SCOPES["lead"] = "crm"
# converted on one laptop, disqualified on another: someone must decide
GUARDED["lead"] = frozenset({"status"})

OPPORTUNITY_STAGES = ("lead_in", "qualified", "proposal", "negotiation", "won", "lost")

opportunity = synced_table(
    "opportunity",
    party_ref(),
    sa.Column("contact_id", sa.Uuid(), nullable=True),
    sa.Column("lead_id", sa.Uuid(), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("stage", sa.String(12), nullable=False, server_default="lead_in"),
    sa.Column("amount", Money(), nullable=False, server_default="0"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("probability", sa.Integer(), nullable=False, server_default="10"),
    # True once a person set the probability: moving the stage no longer changes it
    sa.Column("probability_fixed", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("expected_close", sa.Date(), nullable=True),
    sa.Column("owner_id", sa.Uuid(), nullable=True),
    sa.Column("close_reason", sa.Text(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.CheckConstraint(f"stage IN {OPPORTUNITY_STAGES!r}", name="stage"),
    sa.CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
    sa.Index("ix_opportunity_party", "party_id"),
    sa.Index("ix_opportunity_owner", "owner_id", "stage"),
)
SCOPES["opportunity"] = "crm"
# the amount is the forecast; won/lost closes the deal: clashes on either go to a person
GUARDED["opportunity"] = frozenset({"amount", "stage"})

service_case = synced_table(
    "service_case",
    party_ref(),
    sa.Column("contact_id", sa.Uuid(), nullable=True),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("priority", sa.String(8), nullable=False, server_default="normal"),
    sa.Column("status", sa.String(12), nullable=False, server_default="open"),
    sa.Column("assignee_id", sa.Uuid(), nullable=True),
    sa.Column("resolution", sa.Text(), nullable=True),
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("resolved_at", UtcDateTime(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint("priority IN ('low','normal','high','urgent')", name="priority"),
    sa.CheckConstraint("status IN ('open','in_progress','waiting','resolved','closed')", name="status"),
    sa.Index("ix_service_case_party", "party_id", "opened_at"),
    sa.Index("ix_service_case_assignee", "assignee_id", "status"),
)
SCOPES["service_case"] = "crm"
# resolved on one side and reopened on the other must not flip silently; priority is soft: the
# latest triage is the truth (and the loser is logged)
GUARDED["service_case"] = frozenset({"status"})

custom_field = synced_table(
    "custom_field",
    sa.Column("key", sa.String(40), nullable=False, unique=True),
    sa.Column("label_zh", sa.String(80), nullable=False),
    sa.Column("label_en", sa.String(80), nullable=False),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("choices", sa.Text(), nullable=True),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.CheckConstraint("type IN ('text','number','date','choice')", name="type"),
)
SCOPES["custom_field"] = "crm"

#: a customer shared with another rep (who may then edit it); unsharing archives the row
party_share = synced_table(
    "party_share",
    party_ref(),
    sa.Column("user_id", sa.Uuid(), nullable=False),
    sa.Index("ix_party_share_party", "party_id", "user_id"),
    sa.Index("ix_party_share_user", "user_id"),
)
SCOPES["party_share"] = "crm"

saved_filter = synced_table(
    "saved_filter",
    sa.Column("user_id", sa.Uuid(), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("definition", sa.Text(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    sa.Index("ix_saved_filter_user", "user_id"),
)
SCOPES["saved_filter"] = "crm"

product = synced_table(
    "product",
    sa.Column("sku", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_pinyin", sa.String(400), nullable=False, server_default=""),
    sa.Column("uom", sa.String(16), nullable=False, server_default="pcs"),
    sa.Column("list_price", Quantity(), nullable=True),
)
SCOPES["product"] = "inventory"
GUARDED["product"] = frozenset({"list_price"})

location = synced_table(
    "location",
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False, server_default="internal"),
    sa.CheckConstraint("kind IN ('internal','supplier','customer','adjustment')", name="kind"),
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
    sa.CheckConstraint("qty > 0", name="qty_positive"),
    sa.CheckConstraint(
        "kind IN ('receipt','delivery','transfer','adjustment','count')", name="kind"
    ),
    sa.Index("ix_stock_move_product", "product_id", "moved_at"),
)
SCOPES["stock_move"] = "inventory"
APPEND_ONLY.add("stock_move")

assert set(SCOPES) == set(SYNCED_TABLES), "every synced table needs a scope"
