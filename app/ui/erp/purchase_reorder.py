"""The Reorder tab: products whose projected stock (on hand − reserved + incoming) is below their
reorder point, with the quantity to order (minimum order quantity and multiple applied), the
default supplier, its lead time and when the goods would come. The checked ones become draft
purchase orders, one per supplier, queued in ONE write; products without a supplier are listed
apart, for someone to choose one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _, ngettext
from app.core.ids import new_id
from app.core.schema import warehouse
from app.erp.reorder import Suggestion, draft_purchase_orders, reorder_suggestions
from app.sync import outbox
from app.sync.cache import reading
from app.sync.codec import loads
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.ops import Changes

OK_STYLE = "color: #1b7f3b;"
ERROR_STYLE = "color: #b3261e;"
HEADERS = ("", N_("Product"), N_("On hand"), N_("Reserved"), N_("Incoming"), N_("Reorder point"), N_("Order qty"),
           N_("Unit"), N_("Supplier"), N_("Lead time (days)"), N_("Expected date"))


def queue_in_one_write(ctx: AppContext, batch: list[tuple[str, dict[str, Any]]]) -> Changes:
    """Writer thread: run and queue every mutation in one cache transaction (all or none)."""
    client = ctx.session.client
    changes = Changes()
    user_id, now = client.user_id(), client.clock()
    with client.db.begin() as conn:
        for name, args in batch:
            version, clean = outbox.validate(name, args)
            mutation_id = outbox.record(conn, user_id, now, name, clean, version)
            touched = conn.execute(sa.text("SELECT touched FROM outbox WHERE id = :id"), {"id": mutation_id}).scalar()
            for table, row_id in loads(touched or "[]"):
                changes.add(table, row_id)
    return changes


def _num(value: Any) -> QTableWidgetItem:
    item = QTableWidgetItem(fmt.number(value))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ReorderTab(QWidget):
    #: draft orders were queued: their ids
    drafted = Signal(list)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.suggestions: list[Suggestion] = []
        self.ready = False
        self.warehouse = QComboBox()
        self.warehouse.activated.connect(lambda _i: self.reload())
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        self.create_button = QPushButton(_("Create draft purchase orders"))
        self.create_button.clicked.connect(self.create_drafts)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.table = self._table()
        self.unsourced_title = QLabel(_("No default supplier: choose one on the product, then refresh"))
        self.unsourced = UnsourcedTable()
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Warehouse")))
        top.addWidget(self.warehouse, 1)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.unsourced_title)
        layout.addWidget(self.unsourced, 1)
        ctx.ops.changed.connect(self._on_changed)
        self._load_warehouses()

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, len(HEADERS))
        table.setHorizontalHeaderLabels([_(h) if h else "" for h in HEADERS])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 1
                                        else QHeaderView.ResizeMode.ResizeToContents)
        return table

    # --- reads ------------------------------------------------------------------------------------
    def _load_warehouses(self) -> None:
        db = self.ctx.session.client.db

        def read() -> list[tuple[uuid.UUID, str]]:
            with reading(db) as conn:
                return [(i, f"{c} {n}") for i, c, n in conn.execute(
                    sa.select(warehouse.c.id, warehouse.c.code, warehouse.c.name)
                    .where(warehouse.c.archived.is_(False)).order_by(warehouse.c.code))]

        def done(found: list[tuple[uuid.UUID, str]]) -> None:
            for i, name in found:
                self.warehouse.addItem(name, str(i))
            self.reload()

        self.ctx.ops.read(read).success(done).failure(self._failed).run()

    def reload(self) -> None:
        db, chosen = self.ctx.session.client.db, self.warehouse.currentData()
        if chosen is None:
            self._show([])
            self._say(_("There is no warehouse yet."), ERROR_STYLE)
            return
        warehouse_id, today = uuid.UUID(chosen), dt.date.today()

        def read() -> list[Suggestion]:
            with reading(db) as conn:
                return reorder_suggestions(conn, warehouse_id, today=today)

        self.ctx.ops.read(read).success(self._show).failure(self._failed).run()

    def _show(self, found: list[Suggestion]) -> None:
        self.suggestions = [s for s in found if s.supplier_id is not None and s.qty > 0]
        apart = [s for s in found if s.supplier_id is None and s.qty > 0]
        self.table.setRowCount(len(self.suggestions))
        for row, s in enumerate(self.suggestions):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Checked)
            cells = [check, QTableWidgetItem(f"{s.sku} {s.name}"), _num(s.on_hand), _num(s.reserved),
                     _num(s.incoming), _num(s.reorder_point), _num(s.qty), QTableWidgetItem(s.uom),
                     QTableWidgetItem(s.supplier_name or _("default supplier")), _num(s.lead_time_days),
                     QTableWidgetItem(fmt.date(s.expected_date))]
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.unsourced.fill([(f"{s.sku} {s.name}", fmt.number(s.qty), s.uom) for s in apart])
        self.unsourced_title.setVisible(bool(apart))
        self.unsourced.setVisible(bool(apart))
        if not self.message.text():
            self._say(_("No product is below its reorder point.") if not found else "", OK_STYLE)
        self.create_button.setEnabled(bool(self.suggestions))
        self.ready = True

    def checked(self) -> list[Suggestion]:
        return [s for row, s in enumerate(self.suggestions)
                if (item := self.table.item(row, 0)) is not None and item.checkState() == Qt.CheckState.Checked]

    # --- drafting ---------------------------------------------------------------------------------
    def create_drafts(self) -> None:
        """Every checked suggestion into draft orders, one per supplier, in one write."""
        wanted, chosen = self.checked(), self.warehouse.currentData()
        if not wanted or chosen is None:
            self._say(_("Check the products to order first."), ERROR_STYLE)
            return
        drafts = draft_purchase_orders(wanted, uuid.UUID(chosen), dt.date.today(), new_id)
        batch = [("erp.purchase.create", order) for order in drafts.orders]
        ids = [order["id"] for order in drafts.orders]
        self.create_button.setEnabled(False)

        def done(_changes: Changes) -> None:
            self._say(ngettext("Created %(n)s draft purchase order: check it on the Orders tab and confirm it.",
                               "Created %(n)s draft purchase orders: check them on the Orders tab and confirm them.",
                               len(ids)) % {"n": len(ids)}, OK_STYLE)
            self.drafted.emit(ids)

        self.ctx.ops.write(lambda: queue_in_one_write(self.ctx, batch)).success(done).failure(self._failed).run()

    # --- showing ----------------------------------------------------------------------------------
    def _say(self, text: str, style: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)

    def _failed(self, exc: BaseException) -> None:
        self._say(error_text(exc), ERROR_STYLE)
        self.create_button.setEnabled(bool(self.suggestions))

    def _on_changed(self, changes: Changes) -> None:
        if self.ready and changes.touches("purchase_order", "purchase_order_line", "stock_level", "product",
                                          "delivery"):
            self.reload()


class UnsourcedTable(QTableWidget):
    """The products without a supplier: product, quantity needed, unit."""

    def __init__(self) -> None:
        super().__init__(0, 3)
        self.setHorizontalHeaderLabels([_("Product"), _("Order qty"), _("Unit")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def fill(self, rows: list[tuple[str, str, str]]) -> None:
        self.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, column, item)
