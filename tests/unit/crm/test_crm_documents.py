"""Leads, opportunities, cases and tasks: their transitions, reasons and side effects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.core.ids import new_id
from app.core.tx import RowExists
from app.crm.errors import InvalidTransition, ReasonRequired, TaskDone


def _customer(crm, owner="rep1"):
    return crm.run("boss", "crm.customer.create", name="北京同仁堂", owner_id=crm.users[owner])


def test_converting_a_lead_makes_customer_contact_and_opportunity_in_one_step(crm):
    lead = crm.run("rep1", "crm.lead.create", name="王芳", company="苏州精工有限公司", phone="13800001111",
                   source="展会")
    party, contact, deal = new_id(), new_id(), new_id()
    crm.run("rep1", "crm.lead.convert", id=lead, party_id=party, contact_id=contact, opportunity_id=deal,
            amount="120000.00")
    customer = crm.get("party", party)
    assert (customer["name"], customer["owner_id"], customer["source"]) == (
        "苏州精工有限公司", crm.users["rep1"], "展会")
    assert customer["name_initials"].startswith("szjg")
    assert crm.get("contact", contact)["party_id"] == party
    opp = crm.get("opportunity", deal)
    assert (opp["stage"], opp["amount"], opp["probability"], opp["lead_id"]) == ("qualified", Decimal("120000.00"),
                                                                                 20, lead)
    converted = crm.get("lead", lead)
    assert converted["status"] == "converted"
    assert (converted["converted_party_id"], converted["converted_opportunity_id"]) == (party, deal)


def test_converting_onto_an_existing_customer_links_instead_of_duplicating(crm):
    existing = _customer(crm)
    lead = crm.run("rep1", "crm.lead.create", name="赵六", company="北京同仁堂")
    contact = new_id()
    crm.run("rep1", "crm.lead.convert", id=lead, party_id=existing, link_existing=True, contact_id=contact)
    assert len(crm.rows("party")) == 1
    assert crm.get("contact", contact)["party_id"] == existing


def test_a_converted_lead_cannot_be_converted_or_disqualified_again(crm):
    lead = crm.run("rep1", "crm.lead.create", name="钱七")
    crm.run("rep1", "crm.lead.convert", id=lead, party_id=new_id(), contact_id=new_id())
    with pytest.raises(InvalidTransition) as refused:
        crm.run("rep1", "crm.lead.disqualify", id=lead, reason="重复")
    assert refused.value.message("zh_CN")
    with pytest.raises(InvalidTransition):
        crm.run("rep1", "crm.lead.convert", id=lead, party_id=new_id(), contact_id=new_id())


def test_disqualifying_needs_a_reason_and_reopening_clears_it(crm):
    lead = crm.run("rep1", "crm.lead.create", name="孙八")
    with pytest.raises(Exception, match="reason"):
        crm.run("rep1", "crm.lead.disqualify", id=lead, reason="")
    crm.run("rep1", "crm.lead.disqualify", id=lead, reason="没有预算")
    assert crm.get("lead", lead)["disqualify_reason"] == "没有预算"
    crm.run("rep1", "crm.lead.reopen", id=lead)
    assert (crm.get("lead", lead)["status"], crm.get("lead", lead)["disqualify_reason"]) == ("new", None)


def test_probability_follows_the_stage_unless_a_person_set_it(crm):
    deal = crm.run("rep1", "crm.opportunity.create", party_id=_customer(crm), name="设备采购", amount="50000")
    assert crm.get("opportunity", deal)["probability"] == 10
    crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "lead_in", "new": "proposal"})
    assert crm.get("opportunity", deal)["probability"] == 50
    crm.run("rep1", "crm.opportunity.update", id=deal, probability={"base": 50, "new": 35})
    crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "proposal", "new": "negotiation"})
    assert crm.get("opportunity", deal)["probability"] == 35


def test_won_and_lost_need_a_reason_and_close_the_deal(crm):
    deal = crm.run("rep1", "crm.opportunity.create", party_id=_customer(crm), name="设备采购", stage="negotiation")
    with pytest.raises(ReasonRequired):
        crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "negotiation", "new": "won"})
    crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "negotiation", "new": "won"},
            reason="价格有优势")
    row = crm.get("opportunity", deal)
    assert (row["stage"], row["probability"], row["close_reason"], row["closed_at"]) == ("won", 100, "价格有优势",
                                                                                        crm.now)
    with pytest.raises(InvalidTransition):
        crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "won", "new": "lead_in"})
    crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "won", "new": "negotiation"})
    assert crm.get("opportunity", deal)["closed_at"] is None


def test_a_stage_moved_elsewhere_meanwhile_goes_to_the_conflict_inbox(crm):
    deal = crm.run("rep1", "crm.opportunity.create", party_id=_customer(crm), name="设备采购", stage="proposal")
    crm.run("boss", "crm.opportunity.move_stage", id=deal, stage={"base": "proposal", "new": "negotiation"})
    crm.run("rep1", "crm.opportunity.move_stage", id=deal, stage={"base": "proposal", "new": "lost"}, reason="太贵")
    assert crm.get("opportunity", deal)["stage"] == "negotiation"
    assert [(c.field, c.mine, c.theirs) for c in crm.last.conflicts] == [("stage", "lost", "negotiation")]


def test_a_case_is_resolved_closed_and_reopened_along_its_transitions(crm):
    case = crm.run("rep1", "crm.case.create", party_id=_customer(crm), subject="设备漏油", priority="high")
    assert crm.get("service_case", case)["opened_at"] == crm.now
    crm.run("rep1", "crm.case.assign", id=case, assignee_id=crm.users["rep2"])
    crm.run("rep2", "crm.case.set_status", id=case, status={"base": "open", "new": "in_progress"})
    crm.run("rep2", "crm.case.resolve", id=case, resolution="更换密封圈")
    row = crm.get("service_case", case)
    assert (row["status"], row["resolution"], row["resolved_at"]) == ("resolved", "更换密封圈", crm.now)
    with pytest.raises(InvalidTransition):
        crm.run("rep2", "crm.case.set_status", id=case, status={"base": "resolved", "new": "waiting"})
    crm.run("rep1", "crm.case.close", id=case)
    crm.run("rep1", "crm.case.reopen", id=case)
    row = crm.get("service_case", case)
    assert (row["status"], row["resolved_at"], row["closed_at"]) == ("open", None, None)


def test_a_completed_task_cannot_be_rescheduled_and_two_completions_are_one(crm):
    pid = _customer(crm)
    task = crm.run("rep1", "crm.task.create", party_id=pid, subject="寄合同", due_at="2026-06-02T08:00:00+00:00",
                   remind_at="2026-06-02T07:30:00+00:00")
    crm.run("rep1", "crm.task.reschedule", id=task, due_at={"base": "2026-06-02T08:00:00+00:00",
                                                           "new": "2026-06-04T08:00:00+00:00"})
    assert crm.get("activity", task)["occurred_at"] == dt.datetime(2026, 6, 4, 8, tzinfo=dt.UTC)
    crm.run("rep1", "crm.task.complete", id=task)
    first_done = crm.get("activity", task)["done_at"]
    crm.now += dt.timedelta(hours=1)
    crm.run("boss", "crm.task.complete", id=task)
    assert crm.get("activity", task)["done_at"] == first_done
    with pytest.raises(TaskDone):
        crm.run("rep1", "crm.task.reschedule", id=task, due_at={"base": "2026-06-04T08:00:00+00:00",
                                                               "new": "2026-06-05T08:00:00+00:00"})


def test_a_visit_checks_in_with_coordinates_and_checks_out_with_its_duration(crm):
    pid = _customer(crm)
    visit = crm.run("rep1", "crm.activity.log", party_id=pid, kind="visit", subject="拜访", place="客户工厂",
                    latitude="31.230416", longitude="121.473701", occurred_at="2026-06-01T02:00:00+00:00",
                    checked_in_at="2026-06-01T02:00:00+00:00")
    crm.run("rep1", "crm.visit.check_out", id=visit, checked_out_at="2026-06-01T03:30:00+00:00", outcome="谈妥样品")
    row = crm.get("activity", visit)
    assert (row["latitude"], row["duration_minutes"], row["outcome"]) == (Decimal("31.230416"), 90, "谈妥样品")


def test_family_members_are_added_and_removed(crm):
    contact = crm.run("rep1", "crm.contact.create", party_id=_customer(crm), name="刘强", buying_role="decision_maker",
                      preferred_channel="wechat", birthday="1975-08-15", birthday_lunar=True)
    assert crm.get("contact", contact)["name_initials"] == "lq"
    child = crm.run("rep1", "crm.contact.family.create", contact_id=contact, relation="child", name="刘小明",
                    birthday="2010-03-02")
    crm.run("rep1", "crm.contact.family.remove", id=child)
    assert crm.get("contact_family", child)["archived"]


def test_a_create_sent_again_with_other_values_is_refused(crm):
    pid = _customer(crm)
    case = crm.run("rep1", "crm.case.create", party_id=pid, subject="A")
    with pytest.raises(RowExists):
        crm.run("rep1", "crm.case.create", id=case, party_id=pid, subject="B")
