"""A new opportunity for one customer, from the 360 view: name, amount, stage, expected close
(`crm.opportunity.create`); the pipeline screen edits everything else."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QWidget

from app.core import fmt
from app.core.i18n import _
from app.core.ids import new_id
from app.crm.opportunities import OPEN_STAGES, stage_label
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm


class NewOpportunityDialog(MutationForm):
    def __init__(self, ctx: AppContext, party_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("New opportunity"), parent)
        self.setObjectName("opportunity_dialog")
        self.party_id = party_id
        self.name, self.amount, self.stage = QLineEdit(), QLineEdit(), QComboBox()
        self.add_field("name", _("Name:"), self.name)
        self.add_field("amount", _("Amount (CNY):"), self.amount)
        self.amount.setPlaceholderText(fmt.number(0, 2))
        self.add_field("stage", _("Stage:"), self.stage)
        for stage in OPEN_STAGES:
            self.stage.addItem(_(stage_label(stage)), stage)
        today = ctx.session.client.clock().date() + dt.timedelta(days=30)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.close_on = QCheckBox(_("Expected"))
        self.close_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.close_date.setCalendarPopup(True)
        self.close_date.setEnabled(False)
        self.close_on.toggled.connect(self.close_date.setEnabled)
        row.addWidget(self.close_on)
        row.addWidget(self.close_date, 1)
        self.add_field("expected_close", _("Close date:"), box)

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        args: dict[str, Any] = {"id": new_id(), "party_id": self.party_id, "name": self.name.text().strip(),
                                "stage": self.stage.currentData()}
        ok = True
        if not args["name"]:
            self.show_error("name", _("Enter a name."))
            ok = False
        if self.amount.text().strip():
            try:
                amount = fmt.parse_number(self.amount.text())
            except ValueError:
                amount = None
            if amount is None or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                self.show_error("amount", _("Enter an amount of money, e.g. 12,000.00."))
                ok = False
            else:
                args["amount"] = amount
        if self.close_on.isChecked():
            args["expected_close"] = self.close_date.date().toPython()
        return ("crm.opportunity.create", args) if ok else None
