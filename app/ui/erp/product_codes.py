"""The product dialog's two small editable lists: other units (a box holds 12) and barcodes (each
for the stock unit or one of the other units), with the mutations that turn the user's edits
into erp.product.unit.set and erp.product.barcode.add / remove."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _

Mutation = tuple[str, dict[str, Any]]


class PairTable(QWidget):
    """Rows of two texts the user edits in place, with Add and Remove buttons."""

    def __init__(self, headers: Sequence[str], add_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setFixedHeight((self.table.fontMetrics().height() + 10) * 4)
        self.add_button = QPushButton(add_label)
        self.add_button.clicked.connect(lambda: self.add_row("", ""))
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.table, 1)
        row.addLayout(buttons)

    def add_row(self, first: str, second: str) -> int:
        at = self.table.rowCount()
        self.table.insertRow(at)
        item = QTableWidgetItem(first)
        self.table.setItem(at, 0, item)
        self.table.setItem(at, 1, QTableWidgetItem(second))
        if not first:
            self.table.setCurrentCell(at, 0)
            self.table.editItem(item)
        return at

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def pairs(self) -> list[tuple[str, str]]:
        """The rows as typed, blank rows left out."""
        found = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in (0, 1)]
            first, second = ((c.text().strip() if c is not None else "") for c in cells)
            if first or second:
                found.append((first, second))
        return found


class UnitsEditor(PairTable):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([_("Unit"), _("Stock units in one")], _("Add unit"), parent)

    def set_units(self, units: Sequence[tuple[str, Decimal]]) -> None:
        self.table.setRowCount(0)
        for uom, factor in units:
            self.add_row(uom, fmt.number(factor))

    def units(self) -> dict[str, Decimal] | None:
        """Unit → factor; None when a factor is not a number or a unit is missing."""
        found: dict[str, Decimal] = {}
        for uom, factor in self.pairs():
            try:
                found[uom] = fmt.parse_number(factor)
            except ValueError:
                return None
            if not uom:
                return None
        return found


class BarcodesEditor(PairTable):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([_("Barcode"), _("Unit (empty: stock unit)")], _("Add barcode"), parent)

    def set_barcodes(self, barcodes: Sequence[tuple[str, str | None]]) -> None:
        self.table.setRowCount(0)
        for code, uom in barcodes:
            self.add_row(code, uom or "")

    def barcodes(self) -> dict[str, str | None]:
        """Barcode → its unit (None: the stock unit); rows without a code are left out."""
        return {code: (uom or None) for code, uom in self.pairs() if code}


def unit_mutations(product_id: str, before: dict[str, Decimal], after: dict[str, Decimal]) -> list[Mutation]:
    """erp.product.unit.set for each unit added, changed or removed (factor None)."""
    found: list[Mutation] = []
    for uom in before.keys() - after.keys():
        found.append(("erp.product.unit.set", {"product_id": product_id, "uom": uom, "factor": None}))
    for uom, factor in after.items():
        if before.get(uom) != factor:
            found.append(("erp.product.unit.set", {"product_id": product_id, "uom": uom, "factor": str(factor)}))
    return found


def barcode_mutations(product_id: str, before: dict[str, str | None],
                      after: dict[str, str | None]) -> list[Mutation]:
    """erp.product.barcode.remove for codes gone, .add for codes new or given another unit."""
    found: list[Mutation] = [("erp.product.barcode.remove", {"barcode": code})
                             for code in sorted(before.keys() - after.keys())]
    for code, uom in after.items():
        if code not in before or before[code] != uom:
            found.append(("erp.product.barcode.add", {"product_id": product_id, "barcode": code, "uom": uom}))
    return found
