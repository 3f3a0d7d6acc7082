"""The two panes of the pick & ship screen, in large type (widgets only; the page drives them):
the deliveries ready to ship, and the delivery being picked with the in-page short-ship question."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _
from app.ui.erp.pick_reads import PickSheet
from app.ui.erp.scan import big_font
from app.ui.models import configure_view

#: point size of lists, labels and buttons (a clerk reads them at arm's length)
BODY_POINTS = 15
CHOICE_STYLE = "QFrame#choice { border: 2px solid #c77c02; border-radius: 6px; background: #fff4dc; }"
SHIPPED_STYLE = "QLabel { border: 2px solid #1b7f3b; border-radius: 6px; padding: 8px; color: #1b7f3b; }"


def table(model: QAbstractTableModel, stretch: int, selectable: bool = True) -> QTableView:
    """A short list in large type that never takes the focus from the scan field."""
    view = QTableView()
    big_font(view, BODY_POINTS)
    big_font(view.horizontalHeader(), BODY_POINTS)
    configure_view(view)
    view.setModel(model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection if selectable
                          else QAbstractItemView.SelectionMode.NoSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def fit_columns(view: QTableView, model: QAbstractTableModel, columns: tuple[int, ...], font: QFont,
                samples: tuple[str, ...] = ()) -> None:
    """These columns as wide as their header, their cells and `samples` in `font` (the rest stretch)."""
    metrics = QFontMetrics(font)
    for column in columns:
        texts = [str(model.data(model.index(row, column)) or "") for row in range(model.rowCount())]
        texts += [str(model.headerData(column, Qt.Orientation.Horizontal) or ""), *samples]
        view.setColumnWidth(column, max(metrics.horizontalAdvance(t) for t in texts) + 28)


def sheet_header(sheet: PickSheet) -> str:
    """The delivery's label in bold, whom it goes to, from where, when, and what it is the rest of."""
    parts = [f"<b>{html.escape(sheet.label)}</b>", html.escape(_("Ship to: %(name)s") % {"name": sheet.ship_to}),
             html.escape(_("Warehouse: %(name)s") % {"name": sheet.warehouse})]
    if sheet.scheduled:
        parts.append(_("Scheduled: %(date)s") % {"date": fmt.date(sheet.scheduled)})
    if sheet.backorder_of:
        parts.append(html.escape(_("Backorder of %(delivery)s") % {"delivery": sheet.backorder_of}))
    return " · ".join(parts)


def button(text: str) -> QPushButton:
    made = QPushButton(text)
    big_font(made, BODY_POINTS)
    made.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    made.setMinimumHeight(made.fontMetrics().height() + 14)
    return made


def label(text: str = "", bold: bool = False) -> QLabel:
    made = QLabel(text)
    big_font(made, BODY_POINTS, bold=bold)
    made.setWordWrap(True)
    return made


class DeliveryListPane(QWidget):
    """What shipped last (if anything), then the deliveries waiting, oldest first."""

    def __init__(self, model: QAbstractTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shipped_note = label()
        self.shipped_note.setStyleSheet(SHIPPED_STYLE)
        self.shipped_note.hide()
        self.view = table(model, stretch=1)
        self.empty = label(_("Nothing is waiting to be shipped."))
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.shipped_note)
        layout.addWidget(label(_("Ready to ship: Up/Down to choose, Enter to open, F5 to refresh."), bold=True))
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)


class PickPane(QWidget):
    """The delivery's header, its lines, the short-ship question and the actions."""

    def __init__(self, model: QAbstractTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = label()
        self.progress = label()
        self.view = table(model, stretch=1, selectable=False)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.choice = QFrame()
        self.choice.setObjectName("choice")
        self.choice.setStyleSheet(CHOICE_STYLE)
        self.choice_text = label(bold=True)
        self.backorder_button = button(_("B: backorder the rest"))
        self.close_short_button = button(_("C: close short"))
        self.keep_button = button(_("Esc: keep picking"))
        choice_layout = QVBoxLayout(self.choice)
        choice_layout.addWidget(self.choice_text)
        row = QHBoxLayout()
        for made in (self.backorder_button, self.close_short_button, self.keep_button):
            row.addWidget(made)
        row.addStretch(1)
        choice_layout.addLayout(row)
        self.choice.hide()
        self.ship_button = button(_("Ship (F9)"))
        self.back_button = button(_("Back to the list (Esc)"))
        actions = QHBoxLayout()
        actions.addWidget(self.ship_button)
        actions.addWidget(self.back_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.progress)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.choice)
        layout.addLayout(actions)
