"""Document numbers: SO-2026-000123. The server gives the next number of a series in the push's
transaction, so a rolled-back mutation gives its number back and two documents never share one."""

from __future__ import annotations

import datetime as dt
from functools import partial

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from server.tables import document_sequence

#: digits of the running number within a year
WIDTH = 6


def next_number(conn: Connection, series: str, day: dt.date) -> str:
    """The next number of `series` in `day`'s year (the row lock serializes concurrent pushes)."""
    bump = (
        pg_insert(document_sequence)
        .values(series=series, year=day.year, last=1)
        .on_conflict_do_update(
            index_elements=[document_sequence.c.series, document_sequence.c.year],
            set_={"last": document_sequence.c.last + 1},
        )
        .returning(document_sequence.c.last)
    )
    last = int(conn.execute(bump).scalar_one())
    return f"{series}-{day.year}-{last:0{WIDTH}d}"


def numbering_for(conn: Connection) -> partial[str]:
    """The `Tx.numbering` hook of a push on `conn`."""
    return partial(next_number, conn)


__all__ = ["next_number", "numbering_for"]
