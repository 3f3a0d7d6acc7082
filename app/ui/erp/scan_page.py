"""What the scanner screens share around the scan field: large type, a lines table that never
takes the focus, large buttons, and the F9 shortcut that posts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.ui.erp.scan import big_font

TITLE_POINTS = 18
INFO_POINTS = 16
HINT_POINTS = 12
TABLE_POINTS = 14


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    big_font(label, TITLE_POINTS, bold=True)
    return label


def info_label(points: int = INFO_POINTS) -> QLabel:
    """A wrapping line of large text (what the screen is working on)."""
    label = QLabel()
    big_font(label, points)
    label.setWordWrap(True)
    return label


def hint_label(text: str) -> QLabel:
    label = info_label(HINT_POINTS)
    label.setText(text)
    label.setStyleSheet("color: #555555;")
    return label


def big_button(text: str) -> QPushButton:
    """A large button for the mouse; the keyboard uses its shortcut."""
    button = QPushButton(text)
    big_font(button, INFO_POINTS)
    return button


def lines_table() -> QTableWidget:
    """A read-only table in large type that never takes the focus from the scan field."""
    table = QTableWidget(0, 0)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    font = big_font(table, TABLE_POINTS)
    table.horizontalHeader().setFont(font)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
    return table


def set_columns(table: QTableWidget, headers: list[str]) -> None:
    """The table's columns: the first (the product) takes the room left, the others fit their text."""
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 0
                                    else QHeaderView.ResizeMode.ResizeToContents)


def cell(text: str, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def on_f9(page: QWidget, slot: Callable[[], None]) -> QShortcut:
    """F9 anywhere on the page runs `slot` (posting)."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_F9), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut
