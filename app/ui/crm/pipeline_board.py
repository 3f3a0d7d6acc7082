"""What the pipeline kanban reads (one ReadOp: the cards and the figures) and its parts: a stage
column whose card list takes drops from the other columns (and Ctrl+Left / Ctrl+Right from the
keyboard), and the reason dialog of won/lost."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QMimeData, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QListWidget, QPlainTextEdit, QVBoxLayout, QWidget
from sqlalchemy.engine import Engine

from app.core import fmt
from app.core.i18n import _
from app.core.schema import app_user, metadata
from app.crm.opportunities import STAGES, stage_label
from app.crm.pipeline import Figure, Pipeline, pipeline_summary
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm

opportunity = metadata.tables["opportunity"]
party = metadata.tables["party"]
#: data role of a card: the opportunity's id (uuid.UUID)
CARD_ROLE = Qt.ItemDataRole.UserRole + 1
#: what a dragged card carries: {"id": the opportunity's id, "stage": the column it left}
CARD_MIME = "application/x-yiti-opportunity"
#: Ctrl + these keys move the current card one column along
STEPS = {Qt.Key.Key_Right: 1, Qt.Key.Key_Left: -1}
#: cards shown per column at most (a closed column grows for years)
CARDS_PER_COLUMN = 300
COLUMN_STYLE = "QFrame#stage { background: #f3f4f6; border-radius: 6px; }"
LIST_STYLE = (
    "QListWidget { background: #f3f4f6; border: none; }"
    "QListWidget::item { background: white; color: #1f2937; border: 1px solid #d1d5db; border-radius: 6px;"
    " margin: 3px 2px; padding: 6px; }"
    "QListWidget::item:selected { border: 2px solid #2563eb; }"
)


@dataclass
class Board:
    cards: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    summary: Pipeline = field(default_factory=lambda: Pipeline("CNY"))


def read_board(db: Engine, owner_id: uuid.UUID | None, currency: str = "CNY") -> Board:
    """Live opportunities per stage (soonest close first) and the pipeline's figures."""
    owner = app_user.alias("deal_owner")
    where = [opportunity.c.archived.is_(False), opportunity.c.currency == currency]
    if owner_id is not None:
        where.append(opportunity.c.owner_id == owner_id)
    query = (sa.select(opportunity.c.id, opportunity.c.name, opportunity.c.stage, opportunity.c.amount,
                       opportunity.c.currency, opportunity.c.expected_close, opportunity.c.party_id,
                       opportunity.c.owner_id, party.c.name.label("customer"), owner.c.display_name.label("owner"))
             .select_from(opportunity.join(party, party.c.id == opportunity.c.party_id)
                          .outerjoin(owner, owner.c.id == opportunity.c.owner_id))
             .where(*where)
             .order_by(opportunity.c.expected_close.is_(None), opportunity.c.expected_close, opportunity.c.name))
    board = Board()
    with reading(db) as conn:
        for row in conn.execute(query).mappings():
            cards = board.cards.setdefault(row["stage"], [])
            if len(cards) < CARDS_PER_COLUMN:
                cards.append(dict(row))
        board.summary = pipeline_summary(conn, currency, owner_id=owner_id)
    return board


def card_text(card: Mapping[str, Any]) -> str:
    lines = [str(card["name"]), str(card["customer"]), fmt.money(card["amount"], card["currency"])]
    close = _("close %(date)s") % {"date": fmt.date(card["expected_close"])} if card["expected_close"] else ""
    lines += [close, card["owner"] or ""]
    return "\n".join(line for line in lines if line)


def card_mime(opportunity_id: uuid.UUID, stage: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(CARD_MIME, json.dumps({"id": str(opportunity_id), "stage": stage}).encode())
    return mime


def card_of(mime: QMimeData | None) -> tuple[uuid.UUID, str] | None:
    """(opportunity id, the stage it was dragged from) of a dragged card; None for anything else."""
    if mime is None or not mime.hasFormat(CARD_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(CARD_MIME).data()))
        return uuid.UUID(payload["id"]), str(payload["stage"])
    except (ValueError, KeyError, TypeError):
        return None


def neighbour(stage: str, step: int) -> str | None:
    """The column `step` places along from `stage` on the board, or None past either end."""
    order = list(STAGES)
    at = order.index(stage) + step
    return order[at] if 0 <= at < len(order) else None


def figure_text(figure: Figure, currency: str) -> str:
    return _("%(amount)s · weighted %(weighted)s") % {
        "amount": fmt.money(figure.amount, currency), "weighted": fmt.money(figure.weighted, currency)}


class CardList(QListWidget):
    """A column's cards. A card dropped here from another column asks to move; the lists never
    move items themselves: the board is drawn again from the cache after the write."""

    def __init__(self, stage: str, on_drop: Callable[[uuid.UUID, str], object]) -> None:
        super().__init__()
        self.stage = stage
        self.on_drop = on_drop
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setStyleSheet(LIST_STYLE)
        self.setMinimumWidth(150)

    def fit_cards(self) -> None:
        """Give each card the height its wrapped text needs at the column's current width."""
        width = max(self.viewport().width() - 24, 80)
        metrics = self.fontMetrics()
        for number in range(self.count()):
            item = self.item(number)
            text = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, item.text())
            item.setSizeHint(QSize(width, text.height() + 24))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_cards()

    # --- dragging: the card's id travels in the mime data, so any drop target can read it ---------
    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(card_mime(item.data(CARD_ROLE), self.stage))
        rect = self.visualItemRect(item)
        drag.setPixmap(self.viewport().grab(rect))
        drag.setHotSpot(QPoint(min(rect.width() // 2, 60), 12))
        drag.exec(Qt.DropAction.MoveAction)  # the card stays put: the board is drawn again after the move

    def _dropped_card(self, event: QDropEvent) -> uuid.UUID | None:
        card = card_of(event.mimeData())
        return card[0] if card is not None and card[1] != self.stage else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_card(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_card(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        opportunity_id = self._dropped_card(event)
        if opportunity_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.on_drop(opportunity_id, self.stage)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Right / Ctrl+Left: the current card to the next / previous column."""
        step = STEPS.get(Qt.Key(event.key())) if event.modifiers() & Qt.KeyboardModifier.ControlModifier else None
        item = self.currentItem()
        if step is None or item is None:
            super().keyPressEvent(event)
            return
        event.accept()
        stage = neighbour(self.stage, step)
        if stage is not None:
            self.on_drop(item.data(CARD_ROLE), stage)


class StageColumn(QFrame):
    def __init__(self, stage: str, on_drop: Callable[[uuid.UUID, str], object]) -> None:
        super().__init__()
        self.setObjectName("stage")
        self.setStyleSheet(COLUMN_STYLE)
        self.stage = stage
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setStyleSheet("color: #4b5563;")
        self.cards = CardList(stage, on_drop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.figures)
        layout.addWidget(self.cards, 1)

    def show_stage(self, figure: Figure, currency: str, cards: list[dict[str, Any]]) -> None:
        self.title.setText(_("%(stage)s (%(count)s)") % {"stage": _(stage_label(self.stage)),
                                                           "count": fmt.number(figure.count)})
        self.figures.setText(figure_text(figure, currency))
        current = self.cards.currentItem()
        keep = current.data(CARD_ROLE) if current is not None else None
        self.cards.clear()
        for card in cards:
            text = card_text(card)
            self.cards.addItem(text)
            item = self.cards.item(self.cards.count() - 1)
            item.setData(CARD_ROLE, card["id"])
            item.setToolTip(text)
            if card["id"] == keep:
                self.cards.setCurrentItem(item)
        self.cards.fit_cards()


class StageReasonDialog(MutationForm):
    """Won or lost needs a reason: OK waits for one."""

    def __init__(self, ctx: AppContext, card: Mapping[str, Any], stage: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Move to %(stage)s") % {"stage": _(stage_label(stage))}, parent)
        self.card = dict(card)
        self.stage = stage
        question = _("Why was %(name)s won?") if stage == "won" else _("Why was %(name)s lost?")
        self.body.insertWidget(0, QLabel(question % {"name": card["name"]}))
        self.reason = self.add_field("reason", _("Reason"), QPlainTextEdit())
        self.reason.setFixedHeight(80)
        self.ok_button.setText(_("Move"))
        self.ok_button.setEnabled(False)
        self.reason.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.reason.toPlainText().strip())))

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.show_error("reason", _("Give a reason."))
            return None
        return "crm.opportunity.move_stage", {"id": str(self.card["id"]),
                                              "stage": {"base": self.card["stage"], "new": self.stage},
                                              "reason": reason}
