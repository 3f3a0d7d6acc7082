"""Settling a conflict with a value the user typed (neither mine nor theirs), against the server."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.tx import Change
from app.sync import SyncClient


def _set_credit(c: SyncClient, customer_id, value: str) -> None:
    base = c.get("party", customer_id)["credit_limit"]
    c.mutate("crm.customer.update",
             {"id": str(customer_id), "credit_limit": Change(base=base, new=value).model_dump(mode="json")})


def _clash(make_client) -> tuple[SyncClient, SyncClient, object]:
    a, b = make_client("rep1"), make_client("rep2")
    a.mutate("crm.customer.create", {"name": "成都蓉城", "credit_limit": "1000.00"})
    a.sync()
    b.sync()
    customer = a.rows("party")[0]["id"]
    _set_credit(a, customer, "2000.00")
    _set_credit(b, customer, "3000.00")
    a.sync()
    assert b.sync().conflicts == 1
    return a, b, customer


def test_an_edited_value_replaces_theirs_on_the_server_and_settles_the_conflict(make_client, cluster, tenant):
    a, b, customer = _clash(make_client)
    [conflict] = b.conflicts()

    mutation_id = b.resolve_conflict(conflict["id"], "mine", value=Decimal("2500.00"))

    assert mutation_id is not None and b.conflicts() == []
    assert b.get("party", customer)["credit_limit"] == Decimal("2500.00"), "shown at once"
    assert b.sync().ok and a.sync().ok
    with cluster.tenant_engine(tenant).connect() as conn:
        server = conn.execute(sa.text("SELECT credit_limit FROM party WHERE id = :id"), {"id": customer}).scalar()
    assert server == Decimal("2500.00")
    assert a.get("party", customer)["credit_limit"] == Decimal("2500.00")
    [settled] = b.conflicts(include_resolved=True)
    assert settled["resolution"] == "edited"


def test_an_edited_value_cannot_be_kept_as_theirs(make_client):
    _a, b, _customer = _clash(make_client)
    [conflict] = b.conflicts()

    with pytest.raises(ValueError):
        b.resolve_conflict(conflict["id"], "theirs", value=Decimal("1.00"))
    assert len(b.conflicts()) == 1, "nothing was settled"


def test_a_stage_clash_cannot_be_reapplied_from_the_inbox_and_stays_open(make_client):
    from app.sync.client import CannotReapply

    a, b = make_client("rep1"), make_client("rep2")
    a.mutate("crm.customer.create", {"name": "重庆山城"})
    customer = a.rows("party")[0]["id"]
    a.mutate("crm.opportunity.create", {"party_id": str(customer), "name": "年度框架", "amount": "50000.00"})
    assert a.sync().ok and b.sync().ok
    deal = a.rows("opportunity")[0]["id"]
    a.mutate("crm.opportunity.move_stage", {"id": str(deal), "stage": {"base": "lead_in", "new": "qualified"}})
    b.mutate("crm.opportunity.move_stage", {"id": str(deal), "stage": {"base": "lead_in", "new": "lost"},
                                            "reason": "价格太高"})
    assert a.sync().ok
    assert b.sync().conflicts == 1
    [conflict] = b.conflicts()
    assert conflict["field"] == "stage"

    with pytest.raises(CannotReapply):
        b.resolve_conflict(conflict["id"], "mine")
    assert [c["id"] for c in b.conflicts()] == [conflict["id"]], "still open: nothing lost silently"
    assert b.pending() == []
    b.resolve_conflict(conflict["id"], "theirs")
    assert b.conflicts() == []
