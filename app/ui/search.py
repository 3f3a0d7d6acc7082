"""The global search box of the main window (Ctrl+K): customers, suppliers, contacts and products
by name, pinyin, initials ("zw" finds 张伟), code, phone digits, email or city.

Typing waits ~150 ms for a pause, then one ReadOp asks the cache (app.sync.search); the answer to
an older query is dropped. Results appear in a list under the box, grouped by kind. Keyboard
first: Down/Up move, Enter opens, Esc closes. The box keeps the focus (a Chinese input method keeps
working), so the list is a child of the window laid over the page, not a popup window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import N_, _
from app.sync.cache import reading
from app.sync.search import Hit, search
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.ops import Changes

#: quiet time after the last keystroke before the cache is asked
DEBOUNCE_MS = 150
#: hits asked for and shown
LIMIT = 30
#: rows visible before the list scrolls
VISIBLE_ROWS = 12

KIND_LABELS = {
    "customer": N_("Customer"),
    "supplier": N_("Supplier"),
    "contact": N_("Contact"),
    "product": N_("Product"),
}
#: the kind chip's colour
KIND_COLORS = {"customer": "#2563eb", "supplier": "#7c3aed", "contact": "#059669", "product": "#d97706"}

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


class SearchHitsModel(QAbstractListModel):
    """The hits of one query grouped by kind, best first: the kind of the best hit leads, and
    within a kind the search's order is kept."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[Hit] = []

    def set_hits(self, hits: list[Hit]) -> None:
        first: dict[str, int] = {}
        for hit in hits:
            first.setdefault(hit.kind, len(first))
        self.beginResetModel()
        self.hits = sorted(hits, key=lambda h: first[h.kind])  # a stable sort keeps the rank in a kind
        self.endResetModel()

    def hit(self, row: int) -> Hit | None:
        return self.hits[row] if 0 <= row < len(self.hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        hit = self.hit(index.row())
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return " · ".join(p for p in (kind_label(hit.kind), hit.title, hit.detail) if p)
        if role == KIND_ROLE:
            return hit.kind
        if role == DETAIL_ROLE:
            return hit.detail
        if role == HIT_ROLE:
            return hit
        return None


class HitDelegate(QStyledItemDelegate):
    """One line per hit: a coloured kind chip, the title in bold, the detail in grey."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(option.rect.width(), option.fontMetrics.height() + 12)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        kind = str(index.data(KIND_ROLE) or "")
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        rect = opt.rect.adjusted(8, 0, -8, 0)
        painter.save()
        font = QFont(opt.font)
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        label = kind_label(kind)
        painter.setFont(small)
        chip_width = max(painter.fontMetrics().horizontalAdvance(kind_label(k)) for k in KIND_LABELS) + 14
        chip = QRect(rect.left(), rect.top() + 4, chip_width, rect.height() - 8)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(KIND_COLORS.get(kind, "#6b7280")))
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        text_color = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        left = chip.right() + 10
        title = painter.fontMetrics().elidedText(str(index.data() or ""), Qt.TextElideMode.ElideRight,
                                                 int((rect.right() - left) * 0.6))
        title_rect = QRect(left, rect.top(), rect.right() - left, rect.height())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        left += painter.fontMetrics().horizontalAdvance(title) + 12
        painter.setFont(font)
        painter.setPen(text_color if selected else QColor("#6b7280"))
        detail = painter.fontMetrics().elidedText(str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideRight,
                                                  max(0, rect.right() - left))
        painter.drawText(QRect(left, rect.top(), max(0, rect.right() - left), rect.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)
        painter.restore()


class ResultsPanel(QFrame):
    """The list under the search box (or "No matches"), laid over the window's content."""

    def __init__(self, model: SearchHitsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search_results")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#search_results { background: palette(base); border: 1px solid #9ca3af; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        self.view = QListView()
        self.view.setObjectName("search_hits")
        self.view.setModel(model)
        self.view.setItemDelegate(HitDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps the keyboard
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.message = QLabel()
        self.message.setObjectName("search_message")
        self.message.setContentsMargins(12, 10, 12, 10)
        self.message.setWordWrap(True)
        layout.addWidget(self.view)
        layout.addWidget(self.message)
        self.hide()

    def row_height(self) -> int:
        return self.view.fontMetrics().height() + 12


class GlobalSearch(QWidget):
    """The search box for the window's toolbar; `focus_search` is bound to Ctrl+K."""

    record_chosen = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("global_search")
        self.model = SearchHitsModel(self)
        self.edit = QLineEdit()
        self.edit.setObjectName("search_box")
        self.edit.setPlaceholderText(_("Search customers, contacts, products  (Ctrl+K)"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(280)
        self.edit.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.panel = ResultsPanel(self.model, self)
        self.panel.view.clicked.connect(lambda index: self.open_row(index.row()))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run_query)
        self.edit.textChanged.connect(self._text_changed)
        #: the number of the latest query: answers to older ones are dropped
        self._generation = 0
        #: the text the shown hits answer
        self.shown_text: str | None = None
        #: Enter came before the answer to the text typed: open the best hit once it arrives
        self._open_when_answered = False
        ctx.ops.changed.connect(self._data_changed)

    # --- querying -----------------------------------------------------------------------------
    @Slot()
    def focus_search(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        if self.edit.text().strip() and self.shown_text is not None:
            self._show_panel()

    def _text_changed(self, text: str) -> None:
        self._generation += 1  # whatever is on its way now answers an old question
        self._open_when_answered = False
        if not text.strip():
            self._timer.stop()
            self.close_results()
            return
        self._timer.start()

    def _run_query(self) -> None:
        text = self.edit.text()
        if not text.strip():
            return
        self._generation += 1
        generation = self._generation
        db = self.ctx.session.client.db

        def read() -> list[Hit]:
            with reading(db) as conn:
                return search(conn, text, LIMIT)

        (self.ctx.ops.read(read)
         .success(lambda hits: self._answered(generation, text, hits))
         .failure(lambda exc: self._failed(generation, exc))
         .run())

    def _answered(self, generation: int, text: str, hits: list[Hit]) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self.shown_text = text
        self.model.set_hits(hits)
        panel = self.panel
        panel.view.setVisible(bool(hits))
        panel.message.setVisible(not hits)
        panel.message.setText("" if hits else _("No matches"))
        if hits:
            panel.view.setCurrentIndex(self.model.index(0, 0))
        if self._open_when_answered and hits:
            self._open_when_answered = False
            self.open_row(0)
            return
        self._open_when_answered = False
        self._show_panel()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.model.set_hits([])
        self.panel.view.hide()
        self.panel.message.setText(error_text(exc))
        self.panel.message.show()
        self._show_panel()

    def _data_changed(self, changes: Changes) -> None:
        if self.panel.isVisible() and changes.touches("party", "contact", "product"):
            self._run_query()

    # --- the results panel --------------------------------------------------------------------
    def _show_panel(self) -> None:
        host = self.window()
        panel = self.panel
        if panel.parentWidget() is not host:
            panel.setParent(host)
        rows = min(max(self.model.rowCount(), 1), VISIBLE_ROWS)
        height = (rows * panel.row_height() + 4) if self.model.rowCount() else panel.message.sizeHint().height() + 4
        width = max(self.edit.width(), 460)
        top_left = self.edit.mapTo(host, QPoint(0, self.edit.height() + 2)) if host is not self else QPoint(
            0, self.edit.height() + 2)
        if host is not self:
            width = min(width, max(self.edit.width(), host.width() - top_left.x() - 8))
        panel.setGeometry(top_left.x(), top_left.y(), width, height)
        panel.show()
        panel.raise_()

    def close_results(self) -> None:
        self.panel.hide()

    def results_open(self) -> bool:
        return self.panel.isVisible()

    def current_row(self) -> int:
        return self.panel.view.currentIndex().row()

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        if not self.panel.isVisible():
            self._show_panel()
            return
        row = max(0, min(count - 1, self.current_row() + step))
        self.panel.view.setCurrentIndex(self.model.index(row, 0))

    def open_row(self, row: int) -> None:
        hit = self.model.hit(row)
        if hit is None:
            return
        self.close_results()
        self.record_chosen.emit(hit.kind, hit.row_id)
        self.ctx.act("open_record", hit.kind, hit.row_id)

    # --- keyboard -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key == Qt.Key.Key_Down:
                self._move(1)
                return True
            if key == Qt.Key.Key_Up:
                self._move(-1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():  # Enter right after typing: answer this text first
                    self._timer.stop()
                    self._run_query()
                    self._open_when_answered = True
                    return True
                self.open_row(max(self.current_row(), 0) if self.panel.isVisible() else -1)
                return True
            if key == Qt.Key.Key_Escape and self.panel.isVisible():
                self.close_results()
                return True
        if watched is self.edit and event.type() == QEvent.Type.FocusOut:
            QTimer.singleShot(0, self._close_unless_focused)
        return super().eventFilter(watched, event)

    def _close_unless_focused(self) -> None:
        if not self.edit.hasFocus():
            self.close_results()
