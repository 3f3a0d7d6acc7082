"""The two short lists of the pick & ship screen: deliveries ready to ship, and one delivery's lines
with what was picked (green when complete, red where a scan was refused)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.core import fmt
from app.core.i18n import N_, _
from app.ui.erp.pick_reads import ReadyDelivery
from app.ui.erp.picking import Picking

Index = QModelIndex | QPersistentModelIndex
DONE_COLOUR = QColor("#cdeccd")
REFUSED_COLOUR = QColor("#f6cfcc")
#: marks the line a typed quantity sets
CURRENT_MARK = "▶"
#: text on a coloured row (readable on a dark theme too)
INK = QColor("#1b1b1b")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

DELIVERY_HEADERS = (N_("Delivery"), N_("Ship to"), N_("Scheduled"), N_("Lines"), N_("Backorder"))
LINE_HEADERS = (N_("SKU"), N_("Product"), N_("Bin"), N_("To ship"), N_("Picked"))


class _ShortList(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def count(self) -> int:
        raise NotImplementedError

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return _(self.headers[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class ReadyDeliveriesModel(_ShortList):
    """Deliveries waiting for the warehouse (a day's work: never a big list)."""

    headers = DELIVERY_HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[ReadyDelivery] = []

    def set_items(self, items: list[ReadyDelivery]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def count(self) -> int:
        return len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.label
            if column == 1:
                return item.ship_to
            if column == 2:
                return fmt.date(item.scheduled) if item.scheduled else ""
            if column == 3:
                return fmt.number(item.lines)
            return _("Backorder") if item.backorder else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return RIGHT
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None


class PickLinesModel(_ShortList):
    """The lines of the delivery being picked."""

    headers = LINE_HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.picking: Picking | None = None
        #: the line of the last refused scan (shown red until the next scan)
        self.refused: int | None = None
        #: the font of the current line (the view's, in bold; set by the page)
        self.current_font: QFont | None = None

    def set_picking(self, picking: Picking | None) -> None:
        self.beginResetModel()
        self.picking = picking
        self.refused = None
        self.endResetModel()

    def refresh(self, refused: int | None = None) -> None:
        self.refused = refused
        if self.count():
            self.dataChanged.emit(self.index(0, 0), self.index(self.count() - 1, len(self.headers) - 1))

    def count(self) -> int:
        return 0 if self.picking is None else len(self.picking.sheet.lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        picking = self.picking
        if picking is None or not index.isValid() or index.row() >= self.count():
            return None
        row, column = index.row(), index.column()
        line = picking.sheet.lines[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{CURRENT_MARK if row == picking.current else '  '} {line.sku}"
            if column == 1:
                return line.name
            if column == 2:
                source = picking.source(row)
                return source.code if source else ""
            if column == 3:
                return f"{fmt.number(line.qty)} {line.uom}"
            return fmt.number(picking.picked(row))
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 3:
            return RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if row == self.refused:
                return REFUSED_COLOUR
            if picking.is_done(row):
                return DONE_COLOUR
        if role == Qt.ItemDataRole.FontRole and row == picking.current:
            return self.current_font
        if role == Qt.ItemDataRole.ForegroundRole and (row == self.refused or picking.is_done(row)):
            return INK
        return None
