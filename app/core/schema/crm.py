"""CRM tables: the party master (customers and suppliers), contacts and their families,
activities, leads, opportunities, service cases, custom fields, shares and saved filters."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.schema.base import GUARDED, SCOPES, party_ref, synced_table
from app.core.schema.types import Coordinate, Money, UtcDateTime

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

