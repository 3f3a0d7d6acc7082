"""The Quotes & orders page: every quote and sales order in the cache (number, or a provisional
one until the first sync; customer, date, state, total, owner), filtered by state, by "mine" and
by text (number or customer); Enter opens one in the editor, "New quote" asks for the customer."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from app.core.i18n import N_, _
from app.core.schema import metadata
from app.erp.common import document_label
from app.sync.search import Query
from app.ui.context import AppContext
from app.ui.crm.case_dialogs import CustomerPicker
from app.ui.crm.forms import FieldForm
from app.ui.erp.order_editor import OrderEditor
from app.ui.erp.order_reads import STATE_LABELS
from app.ui.models import ID_ROLE, RIGHT, Column, IdListTableModel, choice, configure_view, money
from app.ui.ops import Ops

sales_order = metadata.tables["sales_order"]
party = metadata.tables["party"]
app_user = metadata.tables["app_user"]
DEBOUNCE_MS = 200
#: the state filter: key → (label, states)
FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "quotes": (N_("Quotes"), ("draft", "sent")),
    "open": (N_("Open orders"), ("confirmed",)),
    "done": (N_("Done"), ("done",)),
    "cancelled": (N_("Cancelled"), ("cancelled",)),
    "all": (N_("All"), ()),
}

_customer = sa.select(party.c.name).where(party.c.id == sales_order.c.party_id).scalar_subquery()
_owner = sa.select(app_user.c.display_name).where(app_user.c.id == sales_order.c.owner_id).scalar_subquery()
COLUMNS = [
    Column("number", N_("Order no."), width=16),
    Column("customer", N_("Customer"), expr=_customer, width=26),
    Column("order_date", N_("Date"), width=11),
    Column("state", N_("State"), format=choice(STATE_LABELS), width=11),
    Column("amount_total", N_("Total"), format=money, align=RIGHT, width=13),
    Column("owner", N_("Owner"), expr=_owner, width=12),
]
NUMBER = 0


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def order_filter(key: str, mine_of: uuid.UUID | None, text: str) -> list[sa.ColumnElement[bool]]:
    """The list's SQL conditions: the state filter `key`, the owner, and the typed text (number,
    customer name, its pinyin or initials)."""
    where: list[sa.ColumnElement[bool]] = [sales_order.c.archived.is_(False)]
    states = FILTERS[key][1]
    if states:
        where.append(sales_order.c.state.in_(states))
    if mine_of is not None:
        where.append(sales_order.c.owner_id == mine_of)
    query = Query.of(text)
    if query.text:
        customers = sa.select(party.c.id).where(sa.or_(
            party.c.name.like(_like(query.text), escape="\\"),
            party.c.name_pinyin.like(_like(query.compact)[1:], escape="\\"),
            party.c.name_initials.like(_like(query.compact)[1:], escape="\\")))
        where.append(sa.or_(sales_order.c.number.like(_like(query.text), escape="\\"),
                            sales_order.c.party_id.in_(customers)))
    return where


class OrdersTableModel(IdListTableModel):
    """Quotes and orders, newest first; the number column shows the provisional number of a
    document the server has not numbered yet."""

    def __init__(self, ops: Ops, db: Engine, parent: Any = None) -> None:
        super().__init__(ops, db, sales_order, COLUMNS, where=order_filter("quotes", None, ""),
                         sort=(2, Qt.SortOrder.DescendingOrder), depends_on=("party", "app_user"), parent=parent)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        shown = super().data(index, role)
        if role == Qt.ItemDataRole.DisplayRole and index.isValid() and index.column() == NUMBER:
            row = self.row_data(index.row())
            if row is not None:
                return document_label("SO", row["number"], uuid.UUID(row["_key"]))
        return shown

    def label_of(self, order_id: uuid.UUID) -> str | None:
        """What the list shows as the number of `order_id` (None while not listed or not loaded)."""
        row = self.row_of(order_id)
        if row is None or self.row_data(row) is None:
            return None
        return str(self.data(self.index(row, NUMBER)))


class ChooseCustomerDialog(FieldForm):
    """Which customer the new quote is for."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("New quote"), parent)
        self.ok_button.setText(_("Next"))
        self.customer = self.add_field("party_id", _("Customer"), CustomerPicker(ctx))
        self.chosen: str | None = None

    def submit(self) -> None:
        self.clear_errors()
        self.chosen = self.customer.party_id()
        if self.chosen is None:
            self.show_error("party_id", _("Choose the customer."))
            return
        self.accept()


class OrdersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editors: list[OrderEditor] = []
        title = QLabel(_("Quotes & orders"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.new_button = QPushButton(_("New quote"))
        self.new_button.setObjectName("new_quote")
        self.new_button.clicked.connect(lambda: self.new_quote())
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.new_button)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Search number or customer"))
        self.search.setClearButtonEnabled(True)
        self.state_filter = QComboBox()
        self.state_filter.setObjectName("state_filter")
        for key, (label, _states) in FILTERS.items():
            self.state_filter.addItem(_(label), key)
        self.mine = QCheckBox(_("Mine only"))
        self.mine.setObjectName("mine")
        self.mine.setChecked(ctx.session.identity.role == "sales_rep")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.state_filter)
        filters.addWidget(self.mine)
        self.model = OrdersTableModel(ctx.ops, ctx.session.client.db, self)
        self.view = QTableView()
        self.view.setObjectName("orders")
        configure_view(self.view, self.model)
        self.view.activated.connect(lambda index: self.open_order(self.model.data(index, ID_ROLE)))
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addLayout(filters)
        box.addWidget(self.view, 1)
        self._typed = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._typed.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._typed.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.state_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.mine.toggled.connect(lambda _c: self.apply_filter())
        self.apply_filter()

    def choose_filter(self, key: str) -> None:
        self.state_filter.setCurrentIndex(self.state_filter.findData(key))

    def apply_filter(self) -> None:
        self._typed.stop()
        mine = self.ctx.session.identity.user_id if self.mine.isChecked() else None
        self.model.set_where(*order_filter(str(self.state_filter.currentData()), mine, self.search.text()))

    def new_quote(self, party_id: str | None = None) -> QWidget:
        """Ask for the customer (unless given), then open the editor on a new quote."""
        if party_id is not None:
            return self.open_editor(OrderEditor(self.ctx, party_id=party_id, parent=self))
        dialog = ChooseCustomerDialog(self.ctx, self)
        dialog.accepted.connect(lambda: self.new_quote(dialog.chosen))
        dialog.open()
        return dialog

    def open_order(self, order_id: uuid.UUID | str | None) -> OrderEditor | None:
        if order_id is None:
            return None
        return self.open_editor(OrderEditor(self.ctx, order_id=order_id, parent=self))

    def open_editor(self, editor: OrderEditor) -> OrderEditor:
        editor.setWindowFlag(Qt.WindowType.Window)
        self.editors = [e for e in self.editors if e.isVisible()] + [editor]
        editor.show()
        return editor
