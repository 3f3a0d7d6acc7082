"""New / Edit purchase order: the supplier, the warehouse, the order date and the lines (product,
quantity, unit, unit price — the product's standard cost until typed — and expected date).

OK queues one erp.purchase.create, or for a draft one erp.purchase.update with the header fields
changed as {"base", "new"} and the whole list of lines. Errors naming a line ("lines.1.uom") show
under the lines with the line's number. Choices are read on the read pool."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.errors import DomainError
from app.core.i18n import _
from app.core.ids import new_id
from app.erp.purchasing import EDITABLE
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm
from app.ui.erp import purchase_reads as reads
from app.ui.errors import error_text

#: a QDateEdit at this date shows "—": no expected date
NO_DATE = QDate(2000, 1, 1)
PRODUCT, QTY, UNIT, PRICE, EXPECTED = range(5)
NOTE_STYLE = "color: #8a5300;"


def to_date(edit: QDateEdit) -> dt.date | None:
    value = edit.date()
    return None if value == NO_DATE else dt.date(value.year(), value.month(), value.day())


def date_edit(value: dt.date | None, optional: bool) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if optional:
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("—")
    edit.setDate(QDate(value.year, value.month, value.day) if value else (NO_DATE if optional else QDate.currentDate()))
    return edit


class PurchaseEditor(MutationForm):
    """A new order (`detail` None) or the draft `detail` shows."""

    def __init__(self, ctx: AppContext, detail: reads.OrderDetail | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Purchase order %(label)s") % {"label": detail.label} if detail
                         else _("New purchase order"), parent)
        self.setMinimumWidth(860)
        self.detail = detail
        self.order_id = str(detail.id) if detail else str(new_id())
        self.choices: reads.Choices | None = None
        self.ready = False
        self.supplier = self.add_field("party_id", _("Supplier"), QComboBox())
        self.supplier_note = QLabel()
        self.supplier_note.setWordWrap(True)
        self.supplier_note.setStyleSheet(NOTE_STYLE)
        self.supplier_note.hide()
        self.form.addRow("", self.supplier_note)
        self.warehouse = self.add_field("warehouse_id", _("Warehouse"), QComboBox())
        self.order_date = self.add_field("order_date", _("Order date"),
                                         date_edit(detail.order_date if detail else dt.date.today(), False))
        self.notes = self.add_field("notes", _("Notes"), QLineEdit(detail.notes if detail else ""))
        self.lines = QTableWidget(0, 5)
        self.lines.setHorizontalHeaderLabels([_("Product"), _("Quantity"), _("Unit"), _("Unit price"),
                                              _("Expected date")])
        self.lines.verticalHeader().setVisible(False)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.horizontalHeader().setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        self.lines.setMinimumHeight(220)
        self.add_line_button = QPushButton(_("Add line"))
        self.add_line_button.clicked.connect(lambda: self.add_line())
        self.remove_line_button = QPushButton(_("Remove line"))
        self.remove_line_button.clicked.connect(self.remove_line)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.lines, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_line_button)
        row.addWidget(self.remove_line_button)
        row.addStretch(1)
        column.addLayout(row)
        self.add_field("lines", _("Order lines"), box)
        self.line_ids: list[str] = []
        self.ok_button.setEnabled(False)
        self._load()

    # --- choices ----------------------------------------------------------------------------------
    def _load(self) -> None:
        db = self.ctx.session.client.db

        def read() -> reads.Choices:
            with reading(db) as conn:
                return reads.choices(conn)

        self.ctx.ops.read(read).success(self._arrived).failure(lambda exc: self.show_error(None, error_text(exc))).run()

    def _arrived(self, found: reads.Choices) -> None:
        self.choices = found
        suppliers = list(found.suppliers)
        if self.detail is not None and all(i != self.detail.party_id for i, _n in suppliers):
            suppliers.insert(0, (self.detail.party_id, self.detail.supplier_name or _("the supplier of this order")))
        for i, name in suppliers:
            self.supplier.addItem(name, str(i))
        if not found.parties:
            self.supplier_note.setText(
                _("This computer holds no supplier list for your role: choose a supplier of an earlier order, "
                  "or start from the Reorder tab, which uses each product's default supplier.")
                if suppliers else
                _("This computer holds no supplier list for your role and no earlier order names one: start "
                  "from the Reorder tab, which uses each product's default supplier, or ask a manager."))
            self.supplier_note.show()
        for i, name in found.warehouses:
            self.warehouse.addItem(name, str(i))
        if self.detail is not None:
            self.supplier.setCurrentIndex(max(self.supplier.findData(str(self.detail.party_id)), 0))
            self.warehouse.setCurrentIndex(max(self.warehouse.findData(str(self.detail.warehouse_id)), 0))
            for line in self.detail.lines:
                self.add_line(line)
        else:
            self.add_line()
        self.ready = True
        self.ok_button.setEnabled(bool(suppliers) and bool(found.warehouses))
        if self.detail is not None and self.detail.state not in EDITABLE:
            self._read_only()

    def _read_only(self) -> None:
        """A confirmed, received or cancelled order is shown, not changed."""
        for widget in (self.supplier, self.warehouse, self.order_date, self.notes, self.add_line_button,
                       self.remove_line_button):
            widget.setEnabled(False)
        for row in range(self.lines.rowCount()):
            for column in range(self.lines.columnCount()):
                cell = self.lines.cellWidget(row, column)
                if cell is not None:
                    cell.setEnabled(False)
        self.ok_button.hide()
        self.show_error(None, _("Only a draft can be changed."))

    def _product(self, row: int) -> reads.ProductChoice | None:
        combo = self.lines.cellWidget(row, PRODUCT)
        if not isinstance(combo, QComboBox) or self.choices is None or combo.currentIndex() < 0:
            return None
        return self.choices.products[combo.currentIndex()]

    # --- lines ------------------------------------------------------------------------------------
    def add_line(self, line: reads.EditLine | None = None) -> int:
        """A line at the end (filled from `line`); returns its row."""
        assert self.choices is not None
        row = self.lines.rowCount()
        self.lines.insertRow(row)
        self.line_ids.append(str(line.id) if line else str(new_id()))
        product = QComboBox()
        product.setEditable(True)
        product.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = product.completer()
        if completer is not None:  # any part of the SKU or name finds the product
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        for choice in self.choices.products:
            product.addItem(choice.label, str(choice.id))
        unit, qty, price = QComboBox(), QLineEdit(), QLineEdit()
        price.setPlaceholderText(_("standard cost"))
        self.lines.setCellWidget(row, PRODUCT, product)
        self.lines.setCellWidget(row, QTY, qty)
        self.lines.setCellWidget(row, UNIT, unit)
        self.lines.setCellWidget(row, PRICE, price)
        self.lines.setCellWidget(row, EXPECTED, date_edit(line.expected_date if line else None, True))
        product.currentIndexChanged.connect(lambda _i, w=product: self._product_changed(w))
        unit.currentIndexChanged.connect(lambda _i, w=unit: self._unit_changed(w))
        if line is not None:
            product.setCurrentIndex(max(product.findData(str(line.product_id)), 0))
            self._product_changed(product)
            unit.setCurrentIndex(max(unit.findData(line.uom), 0))
            qty.setText(fmt.number(line.qty))
            price.setText(fmt.number(line.unit_price))
        else:
            product.setCurrentIndex(-1 if self.choices.products else 0)
        self.lines.setCurrentCell(row, PRODUCT)
        return row

    def remove_line(self) -> None:
        row = self.lines.currentRow()
        if row >= 0:
            self.lines.removeRow(row)
            del self.line_ids[row]

    def _row_of(self, widget: QWidget, column: int) -> int:
        return next((r for r in range(self.lines.rowCount()) if self.lines.cellWidget(r, column) is widget), -1)

    def _product_changed(self, combo: QComboBox) -> None:
        row = self._row_of(combo, PRODUCT)
        choice = self._product(row)
        unit = self.lines.cellWidget(row, UNIT)
        if row < 0 or choice is None or not isinstance(unit, QComboBox):
            return
        unit.blockSignals(True)
        unit.clear()
        for uom in (choice.uom, *(u for u, _f in choice.units)):
            unit.addItem(uom, uom)
        unit.blockSignals(False)
        self._unit_changed(unit)

    def _unit_changed(self, unit: QComboBox) -> None:
        """The price shown by default: the standard cost of one unit (typed prices stay)."""
        row = self._row_of(unit, UNIT)
        choice, price = self._product(row), self.lines.cellWidget(row, PRICE)
        if choice is not None and isinstance(price, QLineEdit) and not price.isModified():
            price.setText(fmt.number(choice.price_in(unit.currentData() or choice.uom)))

    # --- OK ---------------------------------------------------------------------------------------
    def _number(self, row: int, column: int, required: bool) -> Decimal | str | None:
        edit = self.lines.cellWidget(row, column)
        text = edit.text().strip() if isinstance(edit, QLineEdit) else ""
        if not text:
            return "" if required else None
        try:
            return fmt.parse_number(text)
        except ValueError:
            return ""

    def line_args(self) -> list[dict[str, Any]] | None:
        out = []
        for row in range(self.lines.rowCount()):
            choice = self._product(row)
            qty, price = self._number(row, QTY, True), self._number(row, PRICE, False)
            unit, expected = self.lines.cellWidget(row, UNIT), self.lines.cellWidget(row, EXPECTED)
            if choice is None or qty == "" or price == "":
                self.show_error("lines", _("Line %(n)s: choose a product and type its quantity and price.")
                                % {"n": row + 1})
                return None
            day = to_date(expected) if isinstance(expected, QDateEdit) else None
            out.append({"id": self.line_ids[row], "product_id": str(choice.id), "qty": str(qty),
                        "uom": unit.currentData() if isinstance(unit, QComboBox) else choice.uom,
                        "unit_price": None if price is None else str(price),
                        "expected_date": day.isoformat() if day else None})
        return out

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        lines = self.line_args()
        if lines is None:
            return None
        header = {"party_id": self.supplier.currentData(), "supplier_name": self.supplier.currentText(),
                  "warehouse_id": self.warehouse.currentData(),
                  "order_date": (to_date(self.order_date) or dt.date.today()).isoformat(),
                  "notes": self.notes.text().strip() or None}
        days = [line["expected_date"] for line in lines if line["expected_date"]]
        header["expected_date"] = max(days) if days else None
        if self.detail is None:
            return "erp.purchase.create", {"id": self.order_id, **header, "lines": lines}
        d = self.detail
        shown = {"party_id": str(d.party_id), "supplier_name": d.supplier_name, "warehouse_id": str(d.warehouse_id),
                 "order_date": d.order_date.isoformat(), "notes": d.notes or None,
                 "expected_date": d.expected_date.isoformat() if d.expected_date else None}
        patch = {k: {"base": shown[k], "new": v} for k, v in header.items() if v != shown[k]}
        if "supplier_name" in patch and "party_id" not in patch:
            del patch["supplier_name"]  # a name is changed only with its party
        return "erp.purchase.update", {"id": self.order_id, **patch, "lines": lines}

    def _refused(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        field: str | None = None
        text = _("This value is not valid.")
        if isinstance(exc, ValidationError) and exc.errors():
            loc = exc.errors()[0]["loc"]
            field = ".".join(str(p) for p in loc) if loc else None
        elif isinstance(exc, DomainError):
            field, text = exc.field, error_text(exc)
        else:
            text = error_text(exc)
        parts = (field or "").split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
            text = _("Line %(n)s: %(error)s") % {"n": int(parts[1]) + 1, "error": text}
        self.show_error(parts[0] or None, text)
