"""The 360 view's side sections as rich text: contacts with their family, upcoming birthdays,
open opportunities, open service cases. Empty sections say so plainly."""

from __future__ import annotations

import datetime as dt
from html import escape

from app.core import fmt
from app.core.i18n import _
from app.crm.cases import PRIORITIES
from app.crm.cases import STATUSES as CASE_STATUSES
from app.crm.contacts import RELATIONS
from app.crm.opportunities import stage_label
from app.crm.view360 import Birthday, CaseLine, ContactCard, OpportunityLine

MUTED = "color:#6b7280;"
WARN = "color:#b45309;"


def _empty(text: str) -> str:
    return f"<span style='{MUTED}'>{escape(text)}</span>"


def _label(labels: dict[str, str], code: str) -> str:
    return _(labels[code]) if code in labels else code


def _birthday(on: dt.date | None, lunar: bool) -> str:
    if on is None:
        return ""
    text = fmt.date(on, style="medium")
    return f"{text} ({_('lunar')})" if lunar else text


def contacts_html(contacts: list[ContactCard]) -> str:
    if not contacts:
        return _empty(_("No contacts yet."))
    parts = []
    for c in contacts:
        lines = [f"<b>{escape(c.name)}</b>" + (f" · {escape(c.title)}" if c.title else "")]
        reach = [x for x in (c.mobile, c.phone, c.email, c.wechat and f"WeChat {c.wechat}") if x]
        if reach:
            lines.append(escape(" · ".join(reach)))
        if c.next_birthday is not None:
            lines.append(_("Next birthday: %(date)s") % {"date": escape(_birthday(c.next_birthday, c.birthday_lunar))})
        for m in c.family:
            who = f"{escape(_label(RELATIONS, m.relation))}: {escape(m.name)}"
            if m.next_birthday is not None:
                who += " — " + _("birthday %(date)s") % {"date": escape(_birthday(m.next_birthday, m.birthday_lunar))}
            lines.append(f"&nbsp;&nbsp;<span style='{MUTED}'>{who}</span>")
        parts.append("<br>".join(lines))
    return "<br><br>".join(parts)


def birthdays_html(birthdays: list[Birthday]) -> str:
    if not birthdays:
        return _empty(_("No birthdays in the next 30 days."))
    rows = []
    for b in birthdays:
        if b.relation is None:
            who = escape(b.name)
        else:
            who = _("%(name)s (%(relation)s of %(contact)s)") % {
                "name": escape(b.name), "relation": escape(_label(RELATIONS, b.relation)),
                "contact": escape(b.contact_name)}
        when = _("today") if b.days_away == 0 else _("in %(days)s days") % {"days": b.days_away}
        style = WARN if b.days_away <= 7 else ""
        rows.append(f"<span style='{style}'><b>{escape(_birthday(b.on, b.lunar))}</b></span> · {who}"
                    f" <span style='{MUTED}'>({escape(when)})</span>")
    return "<br>".join(rows)


def opportunities_html(opportunities: list[OpportunityLine]) -> str:
    if not opportunities:
        return _empty(_("No open opportunities."))
    rows = []
    for o in opportunities:
        close = fmt.date(o.expected_close) if o.expected_close else _("no close date")
        rows.append(f"<tr><td><b>{escape(o.name)}</b><br><span style='{MUTED}'>{escape(_(stage_label(o.stage)))}"
                    f" · {o.probability}% · {escape(close)}</span></td>"
                    f"<td align='right'>{escape(fmt.money(o.amount, o.currency))}</td></tr>")
    return "<table width='100%' cellspacing='0' cellpadding='3'>" + "".join(rows) + "</table>"


def cases_html(cases: list[CaseLine]) -> str:
    if not cases:
        return _empty(_("No open service cases."))
    rows = []
    for c in cases:
        style = WARN if c.priority in ("high", "urgent") else MUTED
        who = escape(c.assignee_name) if c.assignee_name else _("unassigned")
        rows.append(f"<b>{escape(c.subject)}</b><br><span style='{style}'>{escape(_label(PRIORITIES, c.priority))}"
                    f"</span><span style='{MUTED}'> · {escape(_label(CASE_STATUSES, c.status))} · {who}"
                    f" · {escape(_('opened %(date)s') % {'date': fmt.date(c.opened_at.date())})}</span>")
    return "<br><br>".join(rows)
