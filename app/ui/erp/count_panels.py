"""The parts of the cycle count screen below the scan field: the start panel (warehouse, bin or ABC
class, blind, and the counts still open), the sheet being counted, and the review of variances."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QListWidget, QListWidgetItem, QTableWidget, QWidget

from app.core import fmt
from app.core.i18n import N_, _
from app.erp.count_reads import CountSummary
from app.ui.erp.count_session import CountView, is_large, qty_text
from app.ui.erp.scan import big_font
from app.ui.erp.scan_page import INFO_POINTS, TABLE_POINTS, cell, info_label, set_columns
from app.ui.erp.scan_resolve import ScannedLocation

LARGE_BACKGROUND = "#fde2e0"
STATE_NAMES = {"counting": N_("being counted"), "review": N_("in review")}


class StartPanel(QWidget):
    """What the next count covers; the open counts to carry on with (Enter on one resumes it)."""

    resumed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bin: ScannedLocation | None = None
        self.warehouse = QComboBox()
        self.bin_label = info_label()
        self.abc = QComboBox()
        self.abc.addItem(_("Every product"), None)
        for code in ("A", "B", "C"):
            self.abc.addItem(_("Class %(abc)s") % {"abc": code}, code)
        self.blind = QCheckBox(_("Blind count (the counter does not see what the books expect)"))
        self.blind.setChecked(True)
        self.open_counts = QListWidget()
        self.open_counts.itemActivated.connect(lambda item: self.resumed.emit(item.data(Qt.ItemDataRole.UserRole)))
        for widget in (self.warehouse, self.abc, self.blind, self.open_counts):
            big_font(widget, INFO_POINTS)
        form = QFormLayout(self)
        form.addRow(_("Warehouse"), self.warehouse)
        form.addRow(_("Bin"), self.bin_label)
        form.addRow(_("Products"), self.abc)
        form.addRow("", self.blind)
        form.addRow(_("Open counts"), self.open_counts)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            shown = label.widget() if label is not None else None
            if shown is not None:
                big_font(shown, INFO_POINTS)
        self.set_bin(None)

    def set_warehouses(self, found: list[tuple[uuid.UUID, str]]) -> None:
        self.warehouse.clear()
        for i, name in found:
            self.warehouse.addItem(name, str(i))

    def set_bin(self, place: ScannedLocation | None) -> None:
        self.bin = place
        if place is not None:
            self.warehouse.setCurrentIndex(max(self.warehouse.findData(str(place.warehouse_id)), 0))
        self.bin_label.setText(place.label if place else _("Every bin (scan a bin to count only it)"))

    def set_open(self, found: list[CountSummary]) -> None:
        self.open_counts.clear()
        for c in found:
            where = c.location or (_("class %(abc)s") % {"abc": c.abc_class} if c.abc_class else _("every bin"))
            text = _("%(label)s · %(where)s · %(state)s · %(counted)s of %(lines)s counted") % {
                "label": c.label, "where": where, "state": _(STATE_NAMES.get(c.state, c.state)),
                "counted": fmt.number(c.counted), "lines": fmt.number(c.lines)}
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.open_counts.addItem(item)

    def args(self, count_id: uuid.UUID) -> dict[str, object] | None:
        """erp.count.create's arguments, or None without a warehouse."""
        warehouse_id = self.warehouse.currentData()
        if warehouse_id is None:
            return None
        return {"id": str(count_id), "warehouse_id": warehouse_id,
                "location_id": str(self.bin.id) if self.bin and self.bin.warehouse_id == uuid.UUID(warehouse_id)
                else None, "abc_class": self.abc.currentData(), "blind": self.blind.isChecked()}


def fill_sheet(table: QTableWidget, view: CountView, current: uuid.UUID | None) -> None:
    """The lines to count, bin by bin; the expected column only on a count that is not blind."""
    blind = view.head.blind
    set_columns(table, [_("Product"), _("Bin"), *([] if blind else [_("Expected")]), _("Counted")])
    table.setRowCount(len(view.lines))
    table.clearSelection()
    for row, line in enumerate(view.lines):
        values = [cell(f"{line.sku} {line.product}"), cell(line.location)]
        if not blind:
            values.append(cell(qty_text(line.expected) if line.expected is not None else "—", True))
        values.append(cell(qty_text(line.counted) if line.counted is not None else "—", True))
        for column, item in enumerate(values):
            table.setItem(row, column, item)
        if line.line_id == current:
            table.selectRow(row)


def fill_review(table: QTableWidget, view: CountView, currency: str = "CNY") -> int:
    """Expected now, counted, variance and its value per line, large variances highlighted;
    returns how many are large."""
    set_columns(table, [_("Product"), _("Bin"), _("Expected now"), _("Counted"), _("Variance"), _("Variance value")])
    table.setRowCount(len(view.variances))
    large = 0
    bold = QFont(table.font())
    bold.setPointSize(TABLE_POINTS)
    bold.setBold(True)
    for row, v in enumerate(view.variances):
        signed = "" if v.variance is None else (f"+{qty_text(v.variance)}" if v.variance > 0 else qty_text(v.variance))
        values = [cell(f"{v.sku} {v.product}"), cell(v.location), cell(qty_text(v.expected), True),
                  cell(qty_text(v.counted) if v.counted is not None else _("not counted"), True),
                  cell(signed or "—", True), cell(fmt.money(v.value, currency) if v.value is not None else "—", True)]
        flagged = is_large(v)
        large += flagged
        for column, item in enumerate(values):
            if flagged:
                item.setBackground(QBrush(QColor(LARGE_BACKGROUND)))
                item.setFont(bold)
            table.setItem(row, column, item)
    return large
