"""The lead dialogs: a new lead, disqualify with a reason, and convert (customer + contact +
optional opportunity in one mutation, linking an existing customer when one is found)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.crm.duplicates import Duplicate, find_duplicates
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm

#: why a customer was offered as the lead's company
MATCH_REASONS = {"phone": N_("same phone"), "email": N_("same e-mail"), "name": N_("similar name")}


def _text(edit: QLineEdit | QPlainTextEdit) -> str | None:
    value = (edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()).strip()
    return value or None


class NewLeadDialog(MutationForm):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("New lead"), parent)
        self.name = self.add_field("name", _("Name"), QLineEdit())
        self.company = self.add_field("company", _("Company"), QLineEdit())
        self.title = self.add_field("title", _("Title"), QLineEdit())
        self.phone = self.add_field("phone", _("Phone"), QLineEdit())
        self.email = self.add_field("email", _("E-mail"), QLineEdit())
        self.city = self.add_field("city", _("City"), QLineEdit())
        self.source = self.add_field("source", _("Source"), QLineEdit())
        self.notes = self.add_field("notes", _("Notes"), QPlainTextEdit())
        self.notes.setFixedHeight(70)
        self.lead_id = new_id()

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        if _text(self.name) is None:
            self.show_error("name", _("A lead needs a name."))
            return None
        args: dict[str, Any] = {"id": str(self.lead_id), "name": _text(self.name)}
        for key in ("company", "title", "phone", "email", "city", "source", "notes"):
            value = _text(getattr(self, key))
            if value is not None:
                args[key] = value
        return "crm.lead.create", args


class DisqualifyDialog(MutationForm):
    """OK stays disabled until a reason is typed: the mutator refuses a blank one too."""

    def __init__(self, ctx: AppContext, lead_id: uuid.UUID, lead_name: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Disqualify lead"), parent)
        self.lead_id = lead_id
        self.body.insertWidget(0, QLabel(_("Why is %(name)s not a prospect?") % {"name": lead_name}))
        self.reason = self.add_field("reason", _("Reason"), QPlainTextEdit())
        self.reason.setFixedHeight(80)
        self.ok_button.setText(_("Disqualify"))
        self.ok_button.setEnabled(False)
        self.reason.textChanged.connect(lambda: self.ok_button.setEnabled(_text(self.reason) is not None))

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        reason = _text(self.reason)
        if reason is None:
            self.show_error("reason", _("Give a reason."))
            return None
        return "crm.lead.disqualify", {"id": str(self.lead_id), "reason": reason}


class ConvertLeadDialog(MutationForm):
    """Customer (an existing match or a new one), the contact, and optionally an opportunity."""

    def __init__(self, ctx: AppContext, lead: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Convert lead"), parent)
        self.lead = dict(lead)
        self.lead_id: uuid.UUID = lead["id"]
        self.party_id = new_id()
        self.contact_id = new_id()
        self.opportunity_id = new_id()
        self.matches: list[Duplicate] = []
        self.ok_button.setText(_("Convert"))
        self.ok_button.setEnabled(False)  # until the duplicate check answered

        self.customer_box = QGroupBox(_("Customer"))
        self.choices = QButtonGroup(self)
        self.customer_layout = QVBoxLayout(self.customer_box)
        self.searching = QLabel(_("Looking for an existing customer…"))
        self.customer_layout.addWidget(self.searching)
        self.new_customer = QRadioButton(_("Create a new customer:"))
        self.choices.addButton(self.new_customer, 0)
        self.customer_name = QLineEdit(lead.get("company") or lead.get("name") or "")
        self.customer_name.textChanged.connect(lambda: self.new_customer.setChecked(True))
        self.customer_layout.addWidget(self.new_customer)
        self.customer_layout.addWidget(self.customer_name)
        self.new_customer.setChecked(True)
        self.body.insertWidget(0, self.customer_box)

        contact = QLabel(_("Contact: %(name)s") % {"name": lead.get("name") or ""})
        self.body.insertWidget(1, contact)
        self.with_opportunity = QCheckBox(_("Create an opportunity"))
        self.with_opportunity.setChecked(True)
        self.body.insertWidget(2, self.with_opportunity)
        self.opportunity_name = self.add_field("opportunity_name", _("Opportunity"),
                                               QLineEdit(lead.get("company") or lead.get("name") or ""))
        self.amount = self.add_field("amount", _("Amount"), QLineEdit())
        self.amount.setPlaceholderText(fmt.number(Decimal("0.00"), places=2))
        self.has_close = QCheckBox()
        self.has_close.setToolTip(_("Set an expected close date"))
        self.expected_close = QDateEdit(QDate.currentDate().addDays(30))
        self.expected_close.setCalendarPopup(True)
        self.expected_close.setEnabled(False)
        self.has_close.toggled.connect(self.expected_close.setEnabled)
        close_row = QWidget()
        row = QHBoxLayout(close_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.has_close)
        row.addWidget(self.expected_close, 1)
        self.add_field("expected_close", _("Expected close"), close_row)
        self.with_opportunity.toggled.connect(self._toggle_opportunity)
        self._find_matches()

    # --- the duplicate check (on the read pool) ---------------------------------------------------
    def _find_matches(self) -> None:
        lead, db = self.lead, self.ctx.session.client.db

        def read() -> list[Duplicate]:
            with reading(db) as conn:
                found = find_duplicates(conn, name=lead.get("company") or lead.get("name"), phone=lead.get("phone"),
                                        email=lead.get("email"), exclude=lead["id"])
            seen: set[uuid.UUID] = set()
            customers = []
            for d in found:  # a contact or converted lead stands for its customer
                if d.party_id is not None and d.party_id not in seen and (d.kind == "customer" or d.kind == "contact"):
                    seen.add(d.party_id)
                    customers.append(d)
            return customers

        self.ctx.ops.read(read).success(self._show_matches).failure(
            lambda exc: (self._show_matches([]), self.show_error(None, str(exc)))).run()

    def _show_matches(self, matches: list[Duplicate]) -> None:
        self.matches = matches
        if matches:
            self.searching.setText(_("This company may be a customer already:"))
        else:
            self.searching.setText(_("No existing customer matches this lead."))
        for number, match in enumerate(matches, start=1):
            label = (_("Link to %(name)s (%(why)s)") if match.kind == "customer"
                     else _("Link to the customer of %(name)s (%(why)s)"))
            button = QRadioButton(label % {"name": match.name, "why": _(MATCH_REASONS[match.reason])})
            self.choices.addButton(button, number)
            self.customer_layout.insertWidget(number, button)
        if matches:
            first = self.choices.button(1)
            assert first is not None
            first.setChecked(True)
        self.ok_button.setEnabled(True)

    def _toggle_opportunity(self, on: bool) -> None:
        for widget in (self.opportunity_name, self.amount, self.has_close):
            widget.setEnabled(on)
        self.expected_close.setEnabled(on and self.has_close.isChecked())

    # --- the one mutation -----------------------------------------------------------------------
    def linked_customer(self) -> Duplicate | None:
        """The existing customer chosen, or None for a new one."""
        chosen = self.choices.checkedId()
        return self.matches[chosen - 1] if chosen > 0 else None

    def choose_match(self, number: int) -> None:
        """Pick the `number`-th offered customer (1-based), or 0 for a new one."""
        button = self.choices.button(number)
        assert button is not None
        button.setChecked(True)

    @property
    def customer_id(self) -> uuid.UUID:
        linked = self.linked_customer()
        return linked.party_id if linked is not None and linked.party_id is not None else self.party_id

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        linked = self.linked_customer()
        args: dict[str, Any] = {"id": str(self.lead_id), "party_id": str(self.customer_id),
                                "link_existing": linked is not None, "contact_id": str(self.contact_id)}
        if linked is None:
            if _text(self.customer_name) is None:
                self.problem.setText(_("The new customer needs a name."))
                self.problem.show()
                return None
            args["customer_name"] = _text(self.customer_name)
        if self.with_opportunity.isChecked():
            args["opportunity_id"] = str(self.opportunity_id)
            if _text(self.opportunity_name):
                args["opportunity_name"] = _text(self.opportunity_name)
            amount = _text(self.amount)
            if amount is not None:
                try:
                    args["amount"] = str(fmt.parse_number(amount))
                except ValueError:
                    self.show_error("amount", _("Type an amount, such as %(example)s.")
                                    % {"example": fmt.number(Decimal("12500.00"), places=2)})
                    return None
            if self.has_close.isChecked():
                args["expected_close"] = self.expected_close.date().toPython().isoformat()
        return "crm.lead.convert", args

