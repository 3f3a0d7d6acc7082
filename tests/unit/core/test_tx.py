"""Tx's field-patch rules on a real SQLite database, for soft and guarded fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.ids import new_id
from app.core.schema import SYNCED_TABLES, metadata
from app.core.tx import Change, RowExists, RowNotFound, Tx, UnknownField

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def engine():
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine, tables=[metadata.tables[n] for n in SYNCED_TABLES])
    return engine


def _customer(tx: Tx, **values) -> object:
    return tx.insert("party", {"id": new_id(), "name": "华为", **values})


@pytest.mark.parametrize("side", ["client", "server"])
def test_patch_applies_when_current_equals_base(engine, side):
    with engine.begin() as conn:
        tx = Tx(conn, side=side, user_id=None, now=NOW)
        pid = _customer(tx, phone="1")
        applied = tx.patch("party", pid, {"phone": Change(base="1", new="2")})
        assert applied == {"phone": "2"}
        assert tx.get("party", pid)["phone"] == "2"
        assert not tx.conflicts and not tx.overwritten


def test_soft_field_clash_takes_the_later_write_and_logs_the_loser(engine):
    with engine.begin() as conn:
        tx = Tx(conn, side="server", user_id=None, now=NOW)
        pid = _customer(tx, notes="theirs")
        tx.patch("party", pid, {"notes": Change(base="original", new="mine")})
        assert tx.get("party", pid)["notes"] == "mine"
        assert [(c.field, c.theirs, c.mine) for c in tx.overwritten] == [("notes", "theirs", "mine")]


def test_guarded_field_clash_keeps_theirs_and_reports_a_conflict(engine):
    with engine.begin() as conn:
        tx = Tx(conn, side="server", user_id=None, now=NOW)
        pid = _customer(tx, credit_limit=Decimal("2000.00"))
        applied = tx.patch("party", pid, {"credit_limit": Change(base=Decimal("1000"), new=Decimal("5000")),
                                          "phone": Change(base=None, new="138")})
        row = tx.get("party", pid)
        assert row["credit_limit"] == Decimal("2000.00") and row["phone"] == "138"
        assert applied == {"phone": "138"}
        assert [(c.field, c.mine, c.theirs) for c in tx.conflicts] == [
            ("credit_limit", Decimal("5000"), Decimal("2000.00"))]


def test_server_bumps_versions_client_does_not(engine):
    with engine.begin() as conn:
        server = Tx(conn, side="server", user_id=None, now=NOW)
        pid = _customer(server)
        server.patch("party", pid, {"phone": Change(base=None, new="1")})
        assert server.get("party", pid)["version"] == 2
        client = Tx(conn, side="client", user_id=None, now=NOW)
        client.patch("party", pid, {"phone": Change(base="1", new="2")})
        assert client.get("party", pid)["version"] == 2


def test_insert_of_existing_row_is_refused_on_server_and_overwrites_on_client(engine):
    with engine.begin() as conn:
        server = Tx(conn, side="server", user_id=None, now=NOW)
        pid = _customer(server)
        with pytest.raises(RowExists):
            server.insert("party", {"id": pid, "name": "again"})
        client = Tx(conn, side="client", user_id=None, now=NOW)
        client.insert("party", {"id": pid, "name": "again"})
        assert client.get("party", pid)["name"] == "again"


def test_the_same_create_sent_again_is_a_no_op_on_the_server(engine):
    with engine.begin() as conn:
        server = Tx(conn, side="server", user_id=None, now=NOW)
        pid = server.insert("party", {"id": new_id(), "name": "甲", "kind": "company"})
        again = Tx(conn, side="server", user_id=None, now=NOW)
        assert again.insert("party", {"id": pid, "name": "甲", "kind": "company"}) == pid
        assert again.get("party", pid)["version"] == 1 and again.touched == []


def test_unknown_rows_and_fields_are_refused(engine):
    with engine.begin() as conn:
        tx = Tx(conn, side="server", user_id=None, now=NOW)
        with pytest.raises(RowNotFound):
            tx.patch("party", new_id(), {"phone": Change(base=None, new="1")})
        pid = _customer(tx)
        with pytest.raises(UnknownField):
            tx.patch("party", pid, {"version": Change(base=1, new=99)})
        with pytest.raises(UnknownField):
            tx.patch("party", pid, {"no_such": Change(base=None, new=1)})


def test_on_touch_sees_each_row_once_before_its_first_write(engine):
    seen = []
    with engine.begin() as conn:
        tx = Tx(conn, side="client", user_id=None, now=NOW, on_touch=lambda t, i: seen.append((t, i, tx.get(t, i))))
        pid = _customer(tx)
        tx.patch("party", pid, {"phone": Change(base=None, new="1")})
        tx.archive("party", pid)
    assert len(seen) == 1 and seen[0][2] is None, "captured once, before the insert (row absent)"


VALUES = st.sampled_from([None, "a", "b", "c"])


@settings(max_examples=60, deadline=None)
@given(current=VALUES, base=VALUES, new=VALUES, guarded=st.booleans())
def test_merge_rule_for_any_values(engine, current, base, new, guarded):
    field = "status" if guarded else "phone"
    options = {None: "prospect", "a": "active", "b": "dormant", "c": "lost"} if guarded else {
        None: None, "a": "a", "b": "b", "c": "c"}
    if guarded and None in (current, base, new):
        return  # status is NOT NULL
    cur, b, n = options[current], options[base], options[new]
    with engine.connect() as conn, conn.begin() as trans:
        tx = Tx(conn, side="server", user_id=None, now=NOW)
        pid = _customer(tx, **{field: cur})
        tx.patch("party", pid, {field: Change(base=b, new=n)})
        result = tx.get("party", pid)[field]
        if cur in (b, n):
            assert result == n and not tx.conflicts and not tx.overwritten
        elif guarded:
            assert result == cur and len(tx.conflicts) == 1
        else:
            assert result == n and len(tx.overwritten) == 1
        trans.rollback()
