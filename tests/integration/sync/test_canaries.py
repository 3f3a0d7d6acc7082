"""Canaries: the suite has teeth. With a safeguard of the protocol removed (patched here, never
by hand), the named test that guards it must fail."""

from __future__ import annotations

import contextlib

import orjson
import pytest
import sqlalchemy as sa

from server.sync import push as pushing
from tests.integration.sync import test_sync_api as api


def test_without_the_last_mutation_id_check_the_exactly_once_test_fails(
        monkeypatch, client, tenant, add_user, login, cluster):
    monkeypatch.setattr(pushing, "already_applied", lambda mutation_id, last: False)
    with pytest.raises(AssertionError):
        api.test_resent_mutation_runs_once_and_gets_the_same_result(client, tenant, add_user, login, cluster)


def test_without_per_mutation_savepoints_the_rejection_test_fails(monkeypatch, client, tenant, add_user, login):
    monkeypatch.setattr(pushing, "savepoint", lambda conn: contextlib.nullcontext())
    # the first rejection poisons the whole push transaction: the test fails on its first check
    # or on the aborted transaction, never passes
    with pytest.raises((AssertionError, sa.exc.InternalError)):
        api.test_rejections_are_recorded_and_still_advance(client, tenant, add_user, login)


def test_with_the_cursor_saved_outside_the_page_transaction_the_crash_test_fails(make_client, monkeypatch):
    from app.sync import cache, exchange
    from tests.integration.sync import test_client_recovery as recovery

    def cursor_in_its_own_transaction(self, pages):
        with self.db.begin() as conn:
            cache.set_state(conn, "cursor", pages[-1]["cursor"])
        with self.db.begin() as conn:
            return exchange.apply_pages(conn, pages, self.user_id(), self.before_commit())

    monkeypatch.setattr(exchange.Exchange, "_apply", cursor_in_its_own_transaction)
    with pytest.raises(AssertionError):
        recovery.test_a_crash_before_the_page_commits_keeps_cursor_and_rows_together(make_client, monkeypatch)


def _sequence_cursor_pull(engine, epoch, floor, scopes, cursor, limit):
    """The naive design DESIGN §4 warns against: a cursor on the change sequence alone."""
    from app.core.protocol import Cursor
    from server.sync import pull as pulling

    after = cursor.seq if cursor else 0
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT xact_id::text::bigint AS x, seq, tbl, row_id::text AS row_id FROM sync_change "
                "WHERE seq > :s AND scope = ANY(:scopes) ORDER BY seq LIMIT :n"
            ),
            {"s": after, "scopes": scopes, "n": limit},
        ).all()
        body, count = pulling._encode(conn, list(rows))
    new_cursor = Cursor(epoch=epoch, xact=0, seq=rows[-1].seq if rows else after)
    has_more = len(rows) == limit
    envelope = orjson.dumps({"epoch": epoch, "cursor": new_cursor.model_dump(), "has_more": has_more,
                             "partial": False})
    return pulling.Page(envelope[:-1] + b',"changes":[' + body + b"]}", new_cursor, has_more, False, count)


def test_with_a_plain_sequence_cursor_the_late_committer_test_fails(
        monkeypatch, client, tenant, add_user, login, cluster):
    from server.sync import pull as pulling

    monkeypatch.setattr(pulling, "pull", _sequence_cursor_pull)
    with pytest.raises(AssertionError):
        api.test_change_of_a_late_committing_transaction_is_not_skipped(client, tenant, add_user, login, cluster)
