"""The customer list's text filter through the cache's indexes (DESIGN §5, ``cache._v3_search`` and
``cache._v5_customer_list``).

`customer_candidates` is the list's `TextIndex` (app.crm.customer_list): from the text it builds
a SELECT of party ids that holds every customer the filter lets through, and the list checks each
of them against the filter itself, so the rows shown are the same as a scan would find. Inside a
name or a code, the search index answers 3+ characters with trigrams, and shorter text holding a
Chinese character with the names spelled one Chinese character at a time ("上", "上海"); the start
of the pinyin or initials is a range of their case-blind indexes (SQLite's LIKE ignores ASCII case
as the NOCASE collation does). What it cannot promise, 1 or 2 letters or digits inside a Latin name
or a code, gets None: the list then reads every row, along its name-ordered index.

    query = customer_query(f, user_id, now, text_index=customer_candidates)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.core.schema import metadata
from app.crm.customer_list import TextFilter

#: the party table inside the candidates' SELECTs (never correlated with the list's own FROM)
candidate = metadata.tables["party"].alias("candidate")
_fts = sa.table("search_fts", sa.column("rowid"), sa.column("search_fts"))
_entry = sa.table("search_entry", sa.column("id"), sa.column("row_id"))
#: the Chinese characters the index spells one by one (cache._HAN)
_HAN_FIRST, _HAN_LAST = "\u3400", "\u9fff"
#: SQL: a code holding a Chinese character (the condition of cache step 5's ix_party_code_han)
CODE_HAS_HAN = "candidate.code GLOB '*[\u3400-\u9fff]*'"
#: SQL: a second phone number (the condition of cache step 5's ix_party_phone2)
HAS_PHONE2 = "candidate.phone2 > ''"


def _quoted(value: str) -> str:
    # inside an FTS5 string only the double quote is special, and doubling it escapes it
    return '"' + value.replace('"', '""') + '"'


def customer_candidates(text: TextFilter, include_archived: bool) -> sa.Select[Any] | sa.CompoundSelect[Any] | None:
    """Party ids holding every customer whose name or code contains `text.words`, whose pinyin
    starts with `text.compact` or initials with `text.words`, or whose phone numbers contain
    `text.digits` (3+); None when the indexes cannot promise that."""
    words = text.words
    chinese = any(_HAN_FIRST <= ch <= _HAN_LAST for ch in words)
    if not words or "\x00" in words or (len(words) < 3 and not chinese):
        return None
    # a name with a Chinese character is indexed one character at a time: "^^ 上 海 A B "
    spelled = " ".join(words)
    parts = [f"name : {_quoted(spelled if len(words) > 1 else f' {spelled} ')}"]
    if len(words) >= 3:  # inside any other name, and inside a code
        parts += [f"name : {_quoted(words)}", f"code : {_quoted(words)}"]
    if len(text.digits) >= 3:
        parts.append(f"phone : {_quoted(text.digits)}")
    live = (candidate.c.is_customer.is_(True), candidate.c.archived.is_(False))  # the indexes' condition
    found: list[sa.Select[Any]] = [
        sa.select(_entry.c.row_id).join_from(_fts, _entry, _entry.c.id == _fts.c.rowid)
        .where(_fts.c.search_fts.op("MATCH")(" OR ".join(parts))),
        sa.select(candidate.c.id).where(candidate.c.name_pinyin.like(text.pinyin_start, escape="\\"), *live),
        sa.select(candidate.c.id).where(candidate.c.name_initials.like(text.initials_start, escape="\\"), *live),
    ]
    if len(words) < 3:  # 1 or 2 characters, one Chinese: inside a code, which then holds it too
        found.append(sa.select(candidate.c.id).where(sa.text(CODE_HAS_HAN)))
    if len(text.digits) >= 3:  # the search index keeps the first phone number only
        found.append(sa.select(candidate.c.id).where(sa.text(HAS_PHONE2)))
    if include_archived:  # the indexes keep live rows only
        found.append(sa.select(candidate.c.id).where(candidate.c.archived.is_(True)))
    return sa.union_all(*found)


__all__ = ["customer_candidates"]
