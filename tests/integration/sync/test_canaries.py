"""Canaries: the suite has teeth. With a safeguard of the protocol removed (patched here, never
by hand), the named test that guards it must fail."""

from __future__ import annotations

import contextlib

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
