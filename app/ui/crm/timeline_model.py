"""The 360 view's timeline as a table: activities and cases, newest first, one page at a time
(app.crm.view360.timeline pages by keyset; the model only appends what a page brings)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core import fmt
from app.core.i18n import N_, _
from app.crm.activities import KINDS
from app.crm.cases import STATUSES as CASE_STATUSES
from app.crm.view360 import TimelineItem
from app.erp.sales import STATE_WORDS as ORDER_STATES
from app.erp.shipping import DELIVERY_WORDS

Index = QModelIndex | QPersistentModelIndex
KIND_LABELS = {**KINDS, "case": N_("Service case"), "quote": N_("Quotation"), "order": N_("Sales order"),
               "delivery": N_("Delivery")}
TASK_STATES = {"done": N_("Done"), "open": N_("To do")}
COLUMNS = (N_("When"), N_("Type"), N_("Subject"), N_("By"), N_("State"))
#: data role giving an item's TimelineItem
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def state_label(item: TimelineItem) -> str:
    if item.state is None:
        return ""
    labels = {"task": TASK_STATES, "case": CASE_STATUSES, "quote": ORDER_STATES, "order": ORDER_STATES,
              "delivery": DELIVERY_WORDS}.get(item.kind, {})
    return _(labels[item.state]) if item.state in labels else item.state


def subject(item: TimelineItem) -> str:
    """What the row says: the subject, and a quote's or order's total."""
    return item.subject if item.amount is None else f"{item.subject} · {fmt.money(item.amount)}"


class TimelineModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[TimelineItem] = []

    def set_items(self, items: list[TimelineItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def append(self, items: list[TimelineItem]) -> None:
        known = {i.id for i in self.items}
        fresh = [i for i in items if i.id not in known]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), len(self.items), len(self.items) + len(fresh) - 1)
        self.items.extend(fresh)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return _(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (fmt.datetime(item.at, style="short"), kind_label(item.kind), subject(item), item.by or "",
                    state_label(item))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return item.body or None
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            if item.state == "done":
                return QColor("#15803d")
            if item.state in ("open", "in_progress", "waiting", "ready", "confirmed"):
                return QColor("#b45309")
        if role == ITEM_ROLE:
            return item
        return None
