"""Service case dialogs: open a new case (customer found by name), assign, resolve."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QVBoxLayout, QWidget

from app.core.i18n import _
from app.core.ids import new_id
from app.core.schema import metadata
from app.crm.cases import PRIORITIES
from app.crm.customer_list import CustomerFilter, customer_query
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm

party = metadata.tables["party"]
app_user = metadata.tables["app_user"]
SEARCH_LIMIT = 20


def load_users(ctx: AppContext, combo: QComboBox, current: uuid.UUID | None) -> None:
    """Fill `combo` with "Unassigned" and the tenant's active users (read off the GUI thread)."""
    combo.addItem(_("Unassigned"), None)
    db = ctx.session.client.db

    def read() -> list[tuple[uuid.UUID, str]]:
        with reading(db) as conn:
            return [(r.id, r.display_name) for r in conn.execute(
                sa.select(app_user.c.id, app_user.c.display_name)
                .where(app_user.c.archived.is_(False), app_user.c.disabled.is_(False))
                .order_by(app_user.c.display_name))]

    def fill(users: list[tuple[uuid.UUID, str]]) -> None:
        for user_id, name in users:
            combo.addItem(name, str(user_id))
        if current is not None:
            combo.setCurrentIndex(max(combo.findData(str(current)), 0))

    ctx.ops.read(read).success(fill).run()


class CustomerPicker(QWidget):
    """A name search (name, pinyin, initials, code, phone) over the customers the user may work on."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Type a name, pinyin or phone"))
        self.results = QListWidget()
        self.results.setMaximumHeight(140)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.search)
        box.addWidget(self.results)
        self._typed = QTimer(self, singleShot=True, interval=150)
        self._typed.timeout.connect(self.find)
        self.search.textChanged.connect(lambda _t: self._typed.start())
        self.find()

    def find(self) -> None:
        ident = self.ctx.session.identity
        wanted = CustomerFilter(text=self.search.text(), mine=ident.role == "sales_rep")
        query = customer_query(wanted, ident.user_id, dt.datetime.now(dt.UTC)).limit(SEARCH_LIMIT)
        db = self.ctx.session.client.db

        def read() -> list[tuple[uuid.UUID, str, str | None]]:
            with reading(db) as conn:
                ids = list(conn.execute(query).scalars())
                names = {r.id: (r.name, r.city) for r in conn.execute(
                    sa.select(party.c.id, party.c.name, party.c.city).where(party.c.id.in_(ids)))}
            return [(i, *names[i]) for i in ids if i in names]

        self.ctx.ops.read(read).success(self._show).run()

    def _show(self, found: list[tuple[uuid.UUID, str, str | None]]) -> None:
        chosen = self.party_id()
        self.results.clear()
        for party_id, name, city in found:
            item = QListWidgetItem(f"{name} · {city}" if city else name)
            item.setData(Qt.ItemDataRole.UserRole, str(party_id))
            self.results.addItem(item)
            if str(party_id) == chosen:
                self.results.setCurrentItem(item)
        if self.results.currentItem() is None and self.results.count() == 1:
            self.results.setCurrentRow(0)

    def party_id(self) -> str | None:
        item = self.results.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))


class NewCaseDialog(MutationForm):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("New service case"), parent)
        self.case_id = str(new_id())
        self.customer = CustomerPicker(ctx)
        self.subject = QLineEdit()
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(90)
        self.priority = QComboBox()
        for code, label in PRIORITIES.items():
            self.priority.addItem(_(label), code)
        self.priority.setCurrentIndex(self.priority.findData("normal"))
        self.assignee = QComboBox()
        load_users(ctx, self.assignee, ctx.session.identity.user_id)
        self.add_field("party_id", _("Customer"), self.customer)
        self.add_field("subject", _("Subject"), self.subject)
        self.add_field("description", _("Description"), self.description)
        self.add_field("priority", _("Priority"), self.priority)
        self.add_field("assignee_id", _("Assignee"), self.assignee)

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        party_id = self.customer.party_id()
        ok = True
        if party_id is None:
            self.show_error("party_id", _("Choose the customer."))
            ok = False
        if not self.subject.text().strip():
            self.show_error("subject", _("Say what the case is about."))
            ok = False
        if not ok:
            return None
        return "crm.case.create", {
            "id": self.case_id, "party_id": party_id, "subject": self.subject.text().strip(),
            "description": self.description.toPlainText().strip() or None,
            "priority": self.priority.currentData(), "assignee_id": self.assignee.currentData()}


class AssignCaseDialog(MutationForm):
    def __init__(self, ctx: AppContext, case_id: str, current: uuid.UUID | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Assign case"), parent)
        self.case_id = case_id
        self.assignee = QComboBox()
        load_users(ctx, self.assignee, current)
        self.add_field("assignee_id", _("Assignee"), self.assignee)

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        return "crm.case.assign", {"id": self.case_id, "assignee_id": self.assignee.currentData()}


class ResolveCaseDialog(MutationForm):
    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Resolve case"), parent)
        self.case_id = case_id
        self.resolution = QPlainTextEdit()
        self.add_field("resolution", _("Resolution"), self.resolution)

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        text = self.resolution.toPlainText().strip()
        if not text:
            self.show_error("resolution", _("Say how the case was resolved."))
            return None
        return "crm.case.resolve", {"id": self.case_id, "resolution": text}
