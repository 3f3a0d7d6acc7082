"""The global search over the cache (DESIGN §5): customers, suppliers, contacts and products by
name, pinyin, pinyin initials, code or SKU, phone digits, email and city.

The index is ``search_fts`` (see ``cache._v3_search``), kept current by triggers on every write.
What the user types never reaches FTS5's query syntax: it only ever goes inside a quoted phrase.

    with cache.reading(db) as conn:
        hits = search(conn, "zw")      # 张伟 the contact, 张伟装饰 the customer, ...
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

Kind = Literal["customer", "supplier", "contact", "product"]
#: the order kinds are listed in when hits rank the same
KINDS: tuple[Kind, ...] = ("customer", "contact", "supplier", "product")
#: every key starts with this in the index, so a short query can ask for a prefix
MARK = "^^"
#: characters a phone number may carry besides digits
_PHONE_PUNCTUATION = frozenset(" -+().")
#: the keys other than the name that any query is looked for in (phone: by its digits)
_KEYS = "{pinyin initials code email city}"
#: the Chinese characters the index spells one by one (cache._HAN)
_HAN_FIRST, _HAN_LAST = "\u3400", "\u9fff"
#: how many candidates more than asked for are ranked, for hits the details step drops (a contact
#: of an archived customer)
_SPARE = 20


@dataclass(frozen=True)
class Hit:
    kind: Kind
    row_id: str
    title: str
    detail: str


@dataclass(frozen=True)
class Query:
    """What the user typed, normalised, and its forms for each key."""

    text: str  # NFKC, lower case, trimmed, inner spaces single
    compact: str  # without spaces (pinyin and initials have none)
    digits: str  # the digits, when the text looks like a phone number
    chinese: bool  # Chinese names are indexed one character at a time: "^^ 上 海 华 联 "

    @classmethod
    def of(cls, typed: str) -> Query:
        text = " ".join(unicodedata.normalize("NFKC", typed).replace("\x00", "").lower().split())
        compact = text.replace(" ", "")
        looks_like_phone = any(c.isdigit() for c in text) and all(c.isdigit() or c in _PHONE_PUNCTUATION for c in text)
        digits = "".join(c for c in text if c.isdigit()) if looks_like_phone else ""
        return cls(text, compact, digits, any(_HAN_FIRST <= c <= _HAN_LAST for c in text))

    @property
    def spelled(self) -> str:
        """The text as a Chinese name is indexed: one character at a time ("华 联")."""
        return " ".join(self.compact)

    def name_forms(self) -> tuple[str, str, str]:
        """(whole, start, inside) of the name key as the index holds it."""
        if self.chinese:
            inside = self.spelled if len(self.compact) > 1 else f" {self.spelled} "
            return f"{MARK} {self.spelled} ", f"{MARK} {self.spelled}", inside
        return MARK + self.text, MARK + self.text, self.text

    def match(self) -> str:
        """The FTS5 query: substrings for 3+ characters, prefixes below (see cache._v3_search)."""
        _whole, start, inside = self.name_forms()
        name = inside if len(inside) >= 3 else start
        parts = [f"name : {_quoted(name)}", f"{_KEYS} : {_phrase(self.text)}"]
        if self.compact != self.text:
            parts.append(f"{{pinyin initials}} : {_phrase(self.compact)}")
        if self.digits:
            parts.append(f"phone : {_phrase(self.digits)}")
        return " OR ".join(parts)


def _phrase(value: str) -> str:
    """A substring (3+ characters: trigrams) or else a prefix (the key's mark makes it long enough)."""
    return _quoted(value if len(value) >= 3 else MARK + value)


def _quoted(value: str) -> str:
    # inside an FTS5 string only the double quote is special, and doubling it escapes it
    return '"' + value.replace('"', '""') + '"'


#: 0 the whole key, 1 the key's start, 2 inside the name, 3 elsewhere (pinyin, email, ...)
_GRADE = """
CASE
  WHEN lower(e.name) = :name_whole OR e.pinyin = :whole_c OR e.initials = :whole_c OR lower(e.code) = :whole
       OR lower(e.email) = :whole OR e.phone = :whole_d THEN 0
  WHEN substr(lower(e.name), 1, :n_name) = :name_start OR substr(e.pinyin, 1, :n_c) = :whole_c
       OR substr(e.initials, 1, :n_c) = :whole_c OR substr(lower(e.code), 1, :n) = :whole
       OR substr(lower(e.email), 1, :n) = :whole OR substr(e.phone, 1, :n_d) = :whole_d THEN 1
  WHEN instr(lower(e.name), :name_inside) > 0 THEN 2
  ELSE 3
END"""

_CANDIDATES = f"""
SELECT e.kind, e.row_id, {_GRADE} AS grade,
       CASE e.kind {" ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))} END AS kind_order,
       length(e.name) AS size, e.name AS name
FROM search_fts JOIN search_entry AS e ON e.id = search_fts.rowid
WHERE search_fts MATCH :match
ORDER BY grade, kind_order, size, name
LIMIT :limit"""

_DETAILS = {
    "party": "SELECT id, name, archived, code, city, phone, NULL AS extra FROM party WHERE id IN ({ids})",
    "contact": "SELECT c.id, c.name, c.archived OR COALESCE(p.archived, 0) AS archived, p.name AS code, "
    "c.title AS city, c.phone, c.email AS extra FROM contact AS c LEFT JOIN party AS p ON p.id = c.party_id "
    "WHERE c.id IN ({ids})",
    "product": "SELECT id, name, archived, sku AS code, uom AS city, NULL AS phone, NULL AS extra "
    "FROM product WHERE id IN ({ids})",
}
_TABLE_OF: dict[str, str] = {"customer": "party", "supplier": "party", "contact": "contact", "product": "product"}


def search(conn: Connection, text: str, limit: int = 30) -> list[Hit]:
    """Live customers, suppliers, contacts and products matching `text`, best first: the whole
    key, then its start, then a substring of the name, then anything else; within a grade by kind
    (customers, contacts, suppliers, products) and the shortest name first. Never raises for what
    a user can type."""
    query = Query.of(text)
    if not query.text or limit <= 0:
        return []
    whole, whole_c = MARK + query.text, MARK + query.compact
    whole_d = MARK + query.digits if query.digits else None
    name_whole, name_start, name_inside = query.name_forms()
    params: dict[str, Any] = {
        "whole": whole, "whole_c": whole_c, "whole_d": whole_d, "n": len(whole), "n_c": len(whole_c),
        "n_d": len(whole_d or ""), "name_whole": name_whole, "name_start": name_start, "name_inside": name_inside,
        "n_name": len(name_start), "match": query.match(), "limit": limit + _SPARE,
    }
    candidates: list[Any] = list(conn.execute(sa.text(_CANDIDATES), params).all())
    scanned = _barcode_hit(conn, text.strip())
    if scanned is not None:  # a scanned barcode names one product: it comes first
        candidates = [scanned, *(c for c in candidates if c[1] != scanned[1])]
    details = _details(conn, candidates)
    hits = []
    for kind, row_id, *_ in candidates:
        found = details.get(row_id)
        if found is not None:
            hits.append(Hit(kind, str(uuid.UUID(row_id)), found[0], found[1]))
    return hits[:limit]


def _barcode_hit(conn: Connection, text: str) -> tuple[str, str] | None:
    """("product", id) of the product whose barcode is exactly `text` (what a scanner types)."""
    if not text or len(text) > 64 or " " in text:
        return None
    found = conn.execute(
        sa.text("SELECT product_id FROM product_barcode WHERE barcode = :code AND NOT archived LIMIT 1"),
        {"code": text}).scalar()
    return None if found is None else ("product", str(uuid.UUID(str(found))).replace("-", ""))


def _details(conn: Connection, candidates: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """row id → (title, detail) of the candidates still live (the index can be a step behind a
    customer archived with its contacts listed, or a row replaced under another id)."""
    by_table: dict[str, list[str]] = {}
    for kind, row_id, *_ in candidates:
        by_table.setdefault(_TABLE_OF[kind], []).append(row_id)
    found: dict[str, tuple[str, str]] = {}
    for table, ids in by_table.items():
        names = {f"i{n}": row_id for n, row_id in enumerate(ids)}
        sql = _DETAILS[table].format(ids=", ".join(f":{k}" for k in names))
        for row in conn.execute(sa.text(sql), names).mappings():
            if row["archived"]:
                continue
            parts = (row["code"], row["city"], row["phone"] or row["extra"])
            found[row["id"]] = (row["name"], " · ".join(str(p) for p in parts if p))
    return found


__all__ = ["KINDS", "Hit", "Kind", "Query", "search"]
