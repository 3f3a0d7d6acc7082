"""The Purchasing page, for admins, managers and planners: the purchase orders (number — or a
provisional one until the first sync —, supplier, dates, state, total, how much came in), the
order editor, Confirm and Cancel as each order's state allows (app.erp.purchasing.TRANSITIONS),
and the Reorder tab that turns products below their reorder point into draft orders."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _, ngettext
from app.erp.purchasing import EDITABLE, TRANSITIONS
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp import purchase_reads as reads
from app.ui.erp.purchase_editor import PurchaseEditor
from app.ui.erp.purchase_reorder import ERROR_STYLE, OK_STYLE, ReorderTab
from app.ui.errors import error_text
from app.ui.ops import Changes

HEADERS = (N_("Order number"), N_("Supplier"), N_("Order date"), N_("Expected date"), N_("State"), N_("Total"),
           N_("Received"))
TABLES = ("purchase_order", "purchase_order_line")


def _item(text: str, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class OrdersTab(QWidget):
    """The purchase orders list with New / Open / Confirm / Cancel."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[reads.OrderRow] = []
        self.ready = False
        self.editor: PurchaseEditor | None = None
        self._select: str | None = None
        self.state_filter = QComboBox()
        self.state_filter.addItem(_("All states"), "")
        for key, label in reads.STATE_NAMES.items():
            self.state_filter.addItem(_(label), key)
        self.state_filter.activated.connect(lambda _i: self.reload())
        self.count = QLabel()
        self.new_button = QPushButton(_("New purchase order…"))
        self.new_button.clicked.connect(lambda: self.open_editor(None))
        self.open_button = QPushButton(_("Open…"))
        self.open_button.clicked.connect(self.open_selected)
        self.confirm_button = QPushButton(_("Confirm"))
        self.confirm_button.clicked.connect(lambda: self.act("confirm"))
        self.cancel_button = QPushButton(_("Cancel order"))
        self.cancel_button.clicked.connect(lambda: self.act("cancel"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        tools = QHBoxLayout()
        tools.addWidget(self.state_filter)
        tools.addWidget(self.count)
        tools.addStretch(1)
        for button in (self.new_button, self.open_button, self.confirm_button, self.cancel_button):
            tools.addWidget(button)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 1
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.itemDoubleClicked.connect(lambda _i: self.open_selected())
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        ctx.ops.changed.connect(self._on_changed)
        self._update_actions()
        self.reload()

    # --- list -------------------------------------------------------------------------------------
    def reload(self) -> None:
        db, state = self.ctx.session.client.db, self.state_filter.currentData() or None

        def read() -> list[reads.OrderRow]:
            with reading(db) as conn:
                return reads.order_rows(conn, state)

        self.ctx.ops.read(read).success(self._show).failure(lambda exc: self._say(error_text(exc), ERROR_STYLE)).run()

    def _show(self, rows: list[reads.OrderRow]) -> None:
        shown = self.selected()
        keep = self._select or (str(shown.id) if shown else None)
        self._select = None
        self.rows = rows
        self.table.setRowCount(len(rows))
        for row, r in enumerate(rows):
            received = fmt.percent(r.received_pct / 100) if r.received_pct is not None else "—"
            cells = (_item(r.label), _item(r.supplier or _("default supplier")), _item(fmt.date(r.order_date)),
                     _item(fmt.date(r.expected_date) if r.expected_date else "—"),
                     _item(_(reads.STATE_NAMES.get(r.state, r.state))), _item(fmt.money(r.total, r.currency), True),
                     _item(received, True))
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
            if keep == str(r.id):
                self.table.selectRow(row)
        self.count.setText(ngettext("%(n)s order", "%(n)s orders", len(rows)) % {"n": fmt.number(len(rows))})
        if rows and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.ready = True
        self._update_actions()

    def selected(self) -> reads.OrderRow | None:
        chosen = self.table.selectionModel().selectedRows()
        row = chosen[0].row() if chosen else -1
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def select(self, order_id: str) -> None:
        """Select an order once the list shows it."""
        row = next((i for i, r in enumerate(self.rows) if str(r.id) == order_id), None)
        if row is None:
            self._select = order_id
        else:
            self.table.selectRow(row)

    def _update_actions(self) -> None:
        order = self.selected()
        state = order.state if order else ""
        self.open_button.setEnabled(order is not None)
        self.open_button.setText(_("Edit…") if state in EDITABLE else _("Open…"))
        self.confirm_button.setEnabled((state, "confirm") in TRANSITIONS)
        nothing_in = order is not None and not order.received_pct
        self.cancel_button.setEnabled((state, "cancel") in TRANSITIONS and nothing_in)

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(*TABLES):
            self.reload()

    # --- actions ----------------------------------------------------------------------------------
    def open_selected(self) -> None:
        """Open the selected order in the editor (read on the pool first; `editor` is the dialog)."""
        order = self.selected()
        if order is None:
            return
        db = self.ctx.session.client.db

        def read() -> reads.OrderDetail | None:
            with reading(db) as conn:
                return reads.order_detail(conn, order.id)

        def done(detail: reads.OrderDetail | None) -> None:
            if detail is not None:
                self.open_editor(detail)

        self.ctx.ops.read(read).success(done).run()

    def open_editor(self, detail: reads.OrderDetail | None) -> PurchaseEditor:
        editor = PurchaseEditor(self.ctx, detail, self)
        editor.saved.connect(lambda _c: self._saved(editor))
        self.editor = editor
        editor.open()
        return editor

    def _saved(self, editor: PurchaseEditor) -> None:
        self.select(editor.order_id)
        self._say(_("Saved purchase order."), OK_STYLE)

    def act(self, action: str, ask: bool = True) -> None:
        """Confirm or cancel the selected order (cancelling asks first)."""
        order = self.selected()
        if order is None or (order.state, action) not in TRANSITIONS:
            return
        if action == "cancel" and ask and QMessageBox.question(
                self, _("Cancel order"), _("Cancel purchase order %(label)s?") % {"label": order.label},
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        done_text = (_("Confirmed %(label)s.") if action == "confirm" else _("Cancelled %(label)s.")) % {
            "label": order.label}
        self.ctx.session.mutate(f"erp.purchase.{action}", {"id": str(order.id)}).success(
            lambda _c: self._say(done_text, OK_STYLE)).failure(
            lambda exc: self._say(error_text(exc), ERROR_STYLE)).run()

    def _say(self, text: str, style: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)


class PurchasingPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        title = QLabel(_("Purchasing"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.orders = OrdersTab(ctx)
        self.reorder = ReorderTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.orders, _("Orders"))
        self.tabs.addTab(self.reorder, _("Reorder"))
        self.reorder.drafted.connect(self._drafted)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def _drafted(self, ids: list[str]) -> None:
        if ids:
            self.orders.select(ids[0])

    @property
    def ready(self) -> bool:
        return self.orders.ready and self.reorder.ready
