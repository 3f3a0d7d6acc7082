"""Table models of the Products page: the product list (an id list filtered and sorted in SQL,
rows fetched as viewed), and the small tables of the detail pane (stock per location, the stock
card with its running balance)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.engine import Engine

from app.core import fmt
from app.core.i18n import N_, _
from app.core.schema import product
from app.erp.stock_reads import CardLine, Level
from app.ui.erp import product_reads as reads
from app.ui.models import RIGHT, Column, IdListTableModel, choice
from app.ui.ops import Changes, Ops

NEGATIVE = QColor("#b3261e")
LOW = QColor("#9a5b00")
#: tables whose changes alter the list's stock columns
STOCK_TABLES = ("stock_level", "stock_move", "delivery", "delivery_line", "product_category", "location")


def price(value: Any) -> str:
    """A unit price: as money when it fits in cents, else with its four decimals."""
    if value is None:
        return ""
    exact = Decimal(value)
    return fmt.money(exact) if exact == exact.quantize(Decimal("0.01")) else fmt.number(exact)


def signed(value: Any) -> str:
    """A quantity with its sign: +5, −3."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + fmt.number(value)


def _columns() -> list[Column]:
    return [
        Column("sku", N_("SKU"), width=9),
        Column("name", N_("Name"), sort_expr=product.c.name_pinyin, width=18),
        Column("category", N_("Category"), expr=reads.category_name, width=8),
        Column("uom", N_("Unit"), width=4),
        Column("list_price", N_("List price"), format=price, align=RIGHT, width=8),
        Column("on_hand", N_("On hand"), expr=reads.on_hand, align=RIGHT, width=7),
        Column("reserved", N_("Reserved"), expr=reads.reserved, align=RIGHT, width=7),
        Column("available", N_("Available"), expr=reads.available, align=RIGHT, width=7),
    ]


class ProductsTableModel(IdListTableModel):
    """Live products matching the search text and filter, sorted by the clicked column in SQL."""

    def __init__(self, ops: Ops, db: Engine, parent: QObject | None = None) -> None:
        super().__init__(ops, db, product, _columns(), where=reads.list_conditions("", "all"),
                         sort=(1, Qt.SortOrder.AscendingOrder), depends_on=STOCK_TABLES, first_rows=100,
                         parent=parent)
        self.text = ""
        self.filter_key = "all"

    def set_search(self, text: str, filter_key: str) -> None:
        self.text, self.filter_key = text, filter_key
        self.set_where(*reads.list_conditions(text, filter_key))

    def _exprs(self) -> list[sa.ColumnElement[Any]]:
        # the reorder point colours a low row without being a column of its own
        return [*super()._exprs(), product.c.reorder_point.label("reorder_point")]

    def row_role(self, row: Mapping[str, Any], column: int, role: int) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole or self.columns[column].key not in ("on_hand", "available"):
            return None
        qty = row.get(self.columns[column].key)
        if qty is not None and qty < 0:
            return QBrush(NEGATIVE)
        point = row.get("reorder_point")
        if self.columns[column].key == "on_hand" and point is not None and qty is not None and qty < point:
            return QBrush(LOW)
        return None

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(*STOCK_TABLES) and not changes.everything:
            self.reload(keep_rows=False)  # stock columns come from other tables
            return
        super()._on_changed(changes)


class RowsModel(QAbstractTableModel):
    """A small read-only table of plain rows (hundreds at most), each cell formatted once."""

    def __init__(self, headers: Sequence[str], align: Sequence[Qt.AlignmentFlag],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.align = list(align)
        self.cells: list[list[str]] = []
        self.negative: list[bool] = []

    def set_rows(self, cells: list[list[str]], negative: list[bool] | None = None) -> None:
        """Rows of formatted cells (formatted on the read pool: 500 rows take too long for the
        GUI thread); a negative row is drawn red."""
        self.beginResetModel()
        self.cells = cells
        self.negative = negative or [False] * len(cells)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.cells)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.headers[section])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return self.align[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.align[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and self.negative[index.row()]:
            return QBrush(NEGATIVE)
        return None


L = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def levels_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel([N_("Location"), N_("Warehouse"), N_("On hand")], [L, L, RIGHT], parent)


def level_rows(levels: list[Level]) -> tuple[list[list[str]], list[bool]]:
    return [[lv.location, lv.warehouse or "", fmt.number(lv.qty)] for lv in levels], [lv.qty < 0 for lv in levels]


def card_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel([N_("Date"), N_("Kind"), N_("Quantity"), N_("Balance"), N_("From → to"), N_("Reference"),
                      N_("Unit cost")], [L, L, RIGHT, RIGHT, L, L, RIGHT], parent)


def card_rows(card: list[CardLine]) -> tuple[list[list[str]], list[bool]]:
    kind: Callable[[Any], str] = choice(reads.MOVE_KINDS)
    cells = [[fmt.datetime(c.moved_at, style="short"), kind(c.kind), signed(c.qty), fmt.number(c.balance),
              f"{c.source} → {c.target}", c.reference or "", price(c.unit_cost)] for c in card]
    return cells, [c.balance < 0 for c in card]


__all__ = ["ProductsTableModel", "RowsModel", "card_model", "card_rows", "level_rows", "levels_model", "price",
           "signed"]
