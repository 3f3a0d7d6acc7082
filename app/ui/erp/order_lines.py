"""The lines of a quote or order: a product found by what the rep types or scans (SKU, name,
pinyin, initials, barcode) and Enter adds a line; quantity, unit (the product's unit or one of its
packs), unit price (list price × the unit's factor until the rep types one), discount, amount, and
what the warehouse can promise for the line by its date."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.core.money import line_amount, round_amount
from app.erp.stock_reads import Availability
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.order_reads import LineData, ProductInfo, find_products

PRODUCT, QTY, UNIT, PRICE, DISCOUNT, AMOUNT, AVAILABLE = range(7)
HEADERS = (N_("Product"), N_("Quantity"), N_("Unit"), N_("Unit price"), N_("Discount %"), N_("Amount"),
           N_("Available to promise"))
WIDTHS = (30, 9, 8, 11, 9, 12, 18)
SHORT = QColor("#b3261e")
BAD_CELL = QColor("#fde2e1")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
DEBOUNCE_MS = 150


@dataclass
class LineDraft:
    id: uuid.UUID
    product: ProductInfo
    #: the price was typed by the rep: a change of unit keeps it
    price_typed: bool = False
    available: Availability | None = None


class LineProblem(ValueError):
    """A cell the rep must fix before saving: (row, column, message)."""

    def __init__(self, row: int, column: int, message: str) -> None:
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


def _number(text: str) -> Decimal:
    try:
        return fmt.parse_number(text)
    except (ValueError, InvalidOperation):
        raise ValueError(text) from None


class ProductFinder(QWidget):
    """A search field with its results under it: Enter adds the highlighted (or first) product;
    Up/Down move through the results without leaving the field."""

    picked = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.field = QLineEdit()
        self.field.setObjectName("product_search")
        self.field.setPlaceholderText(_("Add a product: SKU, name, pinyin or scan a barcode, then Enter"))
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("product_results")
        self.results.setMaximumHeight(110)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.itemActivated.connect(lambda _i: self.pick())
        self.results.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.field)
        box.addWidget(self.results)
        self.found: list[ProductInfo] = []
        self._asked = 0
        self._shown = 0
        self._enter_waiting = False
        self._typed = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._typed.timeout.connect(self.look_up)
        self.field.textChanged.connect(lambda _t: self._typed.start())
        self.field.returnPressed.connect(self._entered)
        self.field.installEventFilter(self)

    @property
    def idle(self) -> bool:
        return not self._typed.isActive() and self._shown == self._asked and not self._enter_waiting

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress and self.found:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None:
                row = max(0, min(self.results.currentRow() + step, self.results.count() - 1))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def look_up(self) -> None:
        self._typed.stop()
        self._asked += 1
        number, typed, db = self._asked, self.field.text(), self.ctx.session.client.db

        def read() -> list[ProductInfo]:
            with reading(db) as conn:
                return find_products(conn, typed)

        self.ctx.ops.read(read).success(lambda found: self._show(number, found)).run()

    def _show(self, number: int, found: list[ProductInfo]) -> None:
        if number != self._asked:
            return
        self._shown = number
        self.found = found
        self.results.clear()
        for info in found:
            item = QListWidgetItem(f"{info.sku} · {info.name} · {fmt.money(info.list_price)}/{info.uom}")
            self.results.addItem(item)
        self.results.setVisible(bool(found) and bool(self.field.text().strip()))
        if found:
            self.results.setCurrentRow(0)
        if self._enter_waiting:
            self._enter_waiting = False
            self.pick()

    def _entered(self) -> None:
        if self._typed.isActive() or self._shown != self._asked:
            self._enter_waiting = True  # a scan is faster than the search: add once it answers
            if self._typed.isActive():
                self.look_up()
            return
        self.pick()

    def pick(self) -> None:
        row = self.results.currentRow()
        if not self.found or not self.field.text().strip():
            return
        self.picked.emit(self.found[max(row, 0)])
        self.field.clear()
        self.found = []
        self.results.clear()
        self.results.hide()


class LinesTable(QTableWidget):
    """The editable lines; `edited` when the rep changed anything, `needs_promise` when a line's
    product, quantity or unit changed (availability is read again)."""

    edited = Signal()
    needs_promise = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("lines")
        self.drafts: list[LineDraft] = []
        self.read_only = False
        self.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        char = self.fontMetrics().averageCharWidth()
        for column, width in enumerate(WIDTHS):
            self.setColumnWidth(column, width * char + 16)
        self.horizontalHeader().setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        self.itemChanged.connect(self._changed)

    # --- filling ----------------------------------------------------------------------------------
    def set_lines(self, lines: list[LineData]) -> None:
        self.setRowCount(0)
        self.drafts = []
        for line in lines:
            self._append(LineDraft(line.id, line.product, price_typed=True), line.qty, line.uom,
                         line.unit_price, line.discount_pct)

    def add_product(self, info: ProductInfo) -> int:
        """A new line of `info` (1 of the scanned unit, or of the stock unit); its row."""
        uom = info.scanned_uom if info.scanned_uom in info.units else info.uom
        row = self._append(LineDraft(new_id(), info), Decimal(1), uom, info.list_price * info.units[uom], Decimal(0))
        self.setCurrentCell(row, QTY)
        self.edited.emit()
        self.needs_promise.emit()
        return row

    def _append(self, draft: LineDraft, qty: Decimal, uom: str, price: Decimal, discount: Decimal) -> int:
        row = self.rowCount()
        self.blockSignals(True)
        self.insertRow(row)
        self.drafts.append(draft)
        product = QTableWidgetItem(f"{draft.product.sku} · {draft.product.name}")
        product.setFlags(product.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.setItem(row, PRODUCT, product)
        for column, value in ((QTY, fmt.number(qty)), (PRICE, fmt.number(price, 2)), (DISCOUNT, fmt.number(discount))):
            item = QTableWidgetItem(value)
            item.setTextAlignment(RIGHT)
            self.setItem(row, column, item)
        for column in (AMOUNT, AVAILABLE):
            item = QTableWidgetItem("")
            item.setTextAlignment(RIGHT)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, column, item)
        units = QComboBox()
        units.setObjectName(f"unit_{row}")
        for name, factor in draft.product.units.items():
            units.addItem(name if factor == 1 else f"{name} (×{fmt.number(factor)})", name)
        units.setCurrentIndex(max(units.findData(uom), 0))
        units.setEnabled(not self.read_only)
        units.currentIndexChanged.connect(lambda _i, d=draft: self._unit_changed(d))
        self.setCellWidget(row, UNIT, units)
        self.blockSignals(False)
        self._recompute(row)
        return row

    def remove_current(self) -> None:
        row = self.currentRow()
        if self.read_only or not 0 <= row < len(self.drafts):
            return
        self.removeRow(row)
        del self.drafts[row]
        self.edited.emit()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                             else QAbstractItemView.EditTrigger.AllEditTriggers)
        for row in range(self.rowCount()):
            widget = self.cellWidget(row, UNIT)
            if widget is not None:
                widget.setEnabled(not read_only)

    # --- values -----------------------------------------------------------------------------------
    def unit_of(self, row: int) -> str:
        combo = self.cellWidget(row, UNIT)
        assert isinstance(combo, QComboBox)
        return str(combo.currentData())

    def set_unit(self, row: int, uom: str) -> None:
        combo = self.cellWidget(row, UNIT)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(uom))

    def _value(self, row: int, column: int) -> Decimal:
        item = self.item(row, column)
        return _number(item.text() if item is not None else "")

    def line_values(self, row: int) -> tuple[Decimal, Decimal, Decimal]:
        """(qty, unit price, discount %) of a row; LineProblem names the cell that is wrong."""
        checks = ((QTY, _("Type a quantity above zero."), lambda v: v > 0),
                  (PRICE, _("Type a price of zero or more."), lambda v: v >= 0),
                  (DISCOUNT, _("Type a discount from 0 to 100."), lambda v: 0 <= v <= 100))
        values = []
        for column, message, good in checks:
            try:
                value = self._value(row, column)
            except ValueError:
                raise LineProblem(row, column, message) from None
            if not good(value):
                raise LineProblem(row, column, message)
            values.append(value)
        return values[0], values[1], values[2]

    def args(self) -> list[dict[str, Any]]:
        """The lines as erp.order.* arguments; LineProblem for the first wrong cell."""
        out = []
        for row, draft in enumerate(self.drafts):
            qty, price, discount = self.line_values(row)
            out.append({"id": str(draft.id), "product_id": str(draft.product.id), "qty": str(qty),
                        "uom": self.unit_of(row), "unit_price": str(price), "discount_pct": str(discount)})
        return out

    def stock_qty(self, row: int) -> Decimal | None:
        """The row's quantity in stock units (None while it is not a number)."""
        try:
            qty = self._value(row, QTY)
        except ValueError:
            return None
        return qty * self.drafts[row].product.units.get(self.unit_of(row), Decimal(1))

    def total(self) -> Decimal:
        amounts = [self._amount(row) for row in range(self.rowCount())]
        return sum((a for a in amounts if a is not None), Decimal(0))

    def _amount(self, row: int) -> Decimal | None:
        try:
            qty, price, discount = self.line_values(row)
        except LineProblem:
            return None
        gross = line_amount(qty, price)
        return round_amount(gross - gross * discount / 100)

    # --- reacting ---------------------------------------------------------------------------------
    def cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.item(row, column)
        assert item is not None, (row, column)
        return item

    def mark(self, row: int, column: int, bad: bool) -> None:
        item = self.item(row, column)
        if item is not None:
            self.blockSignals(True)
            item.setBackground(QBrush(BAD_CELL) if bad else QBrush())
            self.blockSignals(False)

    def _changed(self, item: QTableWidgetItem) -> None:
        row, column = item.row(), item.column()
        if column == PRICE:
            self.drafts[row].price_typed = True
        self.mark(row, column, False)
        self._recompute(row)
        self.edited.emit()
        if column == QTY:
            self.needs_promise.emit()

    def _unit_changed(self, draft: LineDraft) -> None:
        row = self.drafts.index(draft)
        if not draft.price_typed:
            price = draft.product.list_price * draft.product.units[self.unit_of(row)]
            self.blockSignals(True)
            self.cell(row, PRICE).setText(fmt.number(price, 2))
            self.blockSignals(False)
        self._recompute(row)
        self.edited.emit()
        self.needs_promise.emit()

    def _recompute(self, row: int) -> None:
        amount = self._amount(row)
        self.blockSignals(True)
        self.cell(row, AMOUNT).setText("" if amount is None else fmt.money(amount))
        self.blockSignals(False)
        self._show_available(row)

    def set_availability(self, found: dict[str, Availability]) -> None:
        for row, draft in enumerate(self.drafts):
            if str(draft.id) in found:
                draft.available = found[str(draft.id)]
                self._show_available(row)

    def _show_available(self, row: int) -> None:
        draft = self.drafts[row]
        item = self.cell(row, AVAILABLE)
        if draft.product.kind == "service":
            text, short = "—", False
        elif draft.available is None:
            text, short = "…", False
        else:
            wanted = self.stock_qty(row)
            text = f"{fmt.number(draft.available.available)} {draft.product.uom}"
            short = wanted is not None and wanted > draft.available.available
        self.blockSignals(True)
        item.setText(text)
        item.setForeground(QBrush(SHORT) if short else QBrush())
        item.setToolTip(_("On hand %(on_hand)s, reserved %(reserved)s, incoming %(incoming)s") % {
            "on_hand": fmt.number(draft.available.on_hand), "reserved": fmt.number(draft.available.reserved),
            "incoming": fmt.number(draft.available.incoming)} if draft.available is not None else "")
        self.blockSignals(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != QAbstractItemView.State.EditingState:
            self.remove_current()
            return
        super().keyPressEvent(event)


def lines_bar(table: LinesTable) -> tuple[QHBoxLayout, QPushButton]:
    """The row under the lines: a "Remove line" button."""
    row = QHBoxLayout()
    remove = QPushButton(_("Remove line"))
    remove.setObjectName("remove_line")
    remove.setAutoDefault(False)
    remove.clicked.connect(table.remove_current)
    row.addWidget(remove)
    row.addStretch(1)
    return row, remove
