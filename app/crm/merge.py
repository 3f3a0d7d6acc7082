"""Customer merge: two records of one customer become one, keeping everything of both.

Every row of any synced table that points to a party (a column made with
``app.core.schema.party_ref``: contacts, activities, opportunities, cases, converted leads, and
ERP's orders and deliveries as they come) moves to the kept customer; shares move too; the
merged customer is archived with ``merged_into`` set, and fields the kept one lacks are filled
from it. Nothing here imports app.erp: the schema says which columns refer to a party.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.core.mutations import mutator
from app.core.schema import SYNCED_TABLES, metadata
from app.core.tx import Tx
from app.crm.common import Args
from app.crm.customers import share_id
from app.crm.errors import MergedAlready, MergeIntoItself
from app.crm.fields import decode_custom, decode_tags, encode_custom, encode_tags
from app.crm.ownership import require_party

#: fields the kept customer takes from the merged one when it has none
_FILL = ("code", "phone", "phone2", "email", "website", "wechat", "industry", "territory", "source", "tier",
         "country", "province", "city", "district", "street", "postcode", "credit_limit", "owner_id")


class CustomerMerge(Args):
    #: the customer that stays
    id: uuid.UUID
    #: the duplicate that goes
    merged_id: uuid.UUID


def party_references() -> list[tuple[str, str]]:
    """(table, column) of every synced column that points to a party."""
    return [(name, column.name) for name in SYNCED_TABLES for column in metadata.tables[name].columns
            if column.info.get("refers_to") == "party" and name != "party_share"]


@mutator("crm.customer.merge", args=CustomerMerge)
def merge_customers(tx: Tx, args: CustomerMerge) -> None:
    if args.id == args.merged_id:
        raise MergeIntoItself(field="merged_id")
    kept = require_party(tx, args.id)
    gone = require_party(tx, args.merged_id)
    if gone["merged_into"] is not None:
        raise MergedAlready(record=gone["name"])
    for table, column in party_references():
        t = metadata.tables[table]
        ids = tx.conn.execute(sa.select(t.c.id).where(t.c[column] == args.merged_id).order_by(t.c.id)).scalars()
        for row_id in list(ids):
            tx.set(table, row_id, {column: args.id})
    shares = metadata.tables["party_share"]
    for share in tx.conn.execute(sa.select(shares).where(shares.c.party_id == args.merged_id)
                                 .order_by(shares.c.id)).mappings().all():
        if not share["archived"] and share["user_id"] != kept["owner_id"]:
            new = share_id(args.id, share["user_id"])
            if tx.get("party_share", new) is None:
                tx.insert("party_share", {"id": new, "party_id": args.id, "user_id": share["user_id"]})
            else:
                tx.archive("party_share", new, False)
        tx.archive("party_share", share["id"], True)
    fill = {f: gone[f] for f in _FILL if kept[f] in (None, "") and gone[f] not in (None, "")}
    tags = encode_tags(decode_tags(kept["tags"]) + decode_tags(gone["tags"]))
    if tags != kept["tags"]:
        fill["tags"] = tags
    custom = encode_custom({**decode_custom(gone["custom_values"]), **decode_custom(kept["custom_values"])})
    if custom != kept["custom_values"]:
        fill["custom_values"] = custom
    if gone["notes"]:
        fill["notes"] = "\n\n".join(n for n in (kept["notes"], gone["notes"]) if n)
    if fill:
        tx.set("party", args.id, fill)
    tx.set("party", args.merged_id, {"merged_into": args.id})
    tx.archive("party", args.merged_id, True)
