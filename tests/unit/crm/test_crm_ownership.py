"""Who may change which customer: owners, shares, the pool, managers; children follow."""

from __future__ import annotations

import datetime as dt

import pytest

from app.crm.errors import NotYours, OwnerNotAllowed


def _customer(crm, owner: str | None, **values):
    return crm.run("boss", "crm.customer.create", name="上海华联", owner_id=crm.users[owner] if owner else None,
                   **values)


def test_a_rep_edits_their_own_customer(crm):
    pid = _customer(crm, "rep1", phone="021-1")
    crm.run("rep1", "crm.customer.update", id=pid, phone={"base": "021-1", "new": "021-2"})
    assert crm.get("party", pid)["phone"] == "021-2"


def test_a_rep_may_not_edit_another_reps_customer_and_is_told_whose_it_is(crm):
    pid = _customer(crm, "rep1", phone="021-1")
    with pytest.raises(NotYours) as refused:
        crm.run("rep2", "crm.customer.update", id=pid, phone={"base": "021-1", "new": "000"})
    assert "Rep1" in refused.value.message("en")
    assert "上海华联" in refused.value.message("en")
    assert crm.get("party", pid)["phone"] == "021-1"


@pytest.mark.parametrize("mutation, args", [
    ("crm.contact.create", {"name": "张伟"}),
    ("crm.activity.log", {"kind": "call", "subject": "回访", "occurred_at": "2026-06-01T08:00:00+00:00"}),
    ("crm.opportunity.create", {"name": "年度合同"}),
    ("crm.case.create", {"subject": "漏水"}),
    ("crm.task.create", {"subject": "报价", "due_at": "2026-06-03T08:00:00+00:00"}),
])
def test_children_of_another_reps_customer_are_refused_too(crm, mutation, args):
    pid = _customer(crm, "rep1")
    with pytest.raises(NotYours):
        crm.run("rep2", mutation, party_id=pid, **args)


def test_sharing_lets_a_colleague_edit_and_unsharing_takes_it_back(crm):
    pid = _customer(crm, "rep1", phone="1")
    crm.run("rep1", "crm.customer.share", party_id=pid, user_id=crm.users["rep2"])
    crm.run("rep2", "crm.customer.update", id=pid, phone={"base": "1", "new": "2"})
    crm.run("rep2", "crm.activity.log", party_id=pid, kind="visit", subject="拜访",
            occurred_at="2026-06-01T08:00:00+00:00")
    crm.run("rep1", "crm.customer.unshare", party_id=pid, user_id=crm.users["rep2"])
    with pytest.raises(NotYours):
        crm.run("rep2", "crm.customer.update", id=pid, phone={"base": "2", "new": "3"})
    crm.run("rep1", "crm.customer.share", party_id=pid, user_id=crm.users["rep2"])
    assert len(crm.rows("party_share", party_id=pid)) == 1  # the same row, restored


def test_managers_edit_every_customer(crm):
    pid = _customer(crm, "rep1", phone="1")
    crm.run("boss", "crm.customer.update", id=pid, phone={"base": "1", "new": "2"})
    assert crm.get("party", pid)["phone"] == "2"


def test_pool_customers_are_open_to_every_rep_and_may_be_claimed_but_not_given_away(crm):
    pid = _customer(crm, None)
    crm.run("rep2", "crm.customer.update", id=pid, owner_id={"base": None, "new": str(crm.users["rep2"])})
    assert crm.get("party", pid)["owner_id"] == crm.users["rep2"]
    with pytest.raises(NotYours):
        crm.run("rep1", "crm.customer.update", id=pid, notes={"base": None, "new": "x"})
    with pytest.raises(OwnerNotAllowed):
        crm.run("rep2", "crm.customer.update", id=pid,
                owner_id={"base": str(crm.users["rep2"]), "new": str(crm.users["rep1"])})


def test_a_rep_cannot_create_a_customer_for_someone_else(crm):
    with pytest.raises(OwnerNotAllowed):
        crm.run("rep1", "crm.customer.create", name="X", owner_id=crm.users["rep2"])


def test_the_assignee_of_a_task_completes_it_on_a_customer_they_do_not_own(crm):
    pid = _customer(crm, "rep1")
    task = crm.run("boss", "crm.task.create", party_id=pid, subject="送样品", due_at="2026-06-02T08:00:00+00:00",
                   assignee_id=crm.users["rep2"])
    crm.now += dt.timedelta(hours=2)
    crm.run("rep2", "crm.task.complete", id=task, outcome="送到了")
    row = crm.get("activity", task)
    assert row["done"] and row["done_at"] == crm.now and row["outcome"] == "送到了"


def test_leads_belong_to_their_owner(crm):
    lead = crm.run("rep1", "crm.lead.create", name="李娜", company="杭州新锐")
    assert crm.get("lead", lead)["owner_id"] == crm.users["rep1"]
    with pytest.raises(NotYours):
        crm.run("rep2", "crm.lead.qualify", id=lead)
    crm.run("boss", "crm.lead.qualify", id=lead)
    assert crm.get("lead", lead)["status"] == "qualified"
