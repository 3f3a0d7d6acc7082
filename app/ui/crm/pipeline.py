"""The Pipeline page: opportunities as a kanban by stage with the count, amount and weighted
amount of each column; drag a card, press Ctrl+Right / Ctrl+Left on it, or use its "Move to…"
menu to move its stage. Managers see the per-rep figures and the whole team; reps start with
their own deals."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _
from app.crm.errors import InvalidTransition
from app.crm.opportunities import CLOSED_STAGES, DOCUMENT, STAGES, TRANSITIONS, stage_label
from app.crm.ownership import MANAGING
from app.ui.context import AppContext
from app.ui.crm.forms import ERROR_STYLE
from app.ui.crm.pipeline_board import (
    CARD_ROLE,
    Board,
    StageColumn,
    StageReasonDialog,
    figure_text,
    neighbour,
    read_board,
)
from app.ui.errors import error_text
from app.ui.ops import Changes

REPS_STYLE = "background: #eef2ff; color: #1e1b4b; padding: 6px 10px; border-radius: 4px;"


class PipelinePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.board = Board()
        self.loaded = False
        #: opportunity id → its card as last read
        self.cards: dict[uuid.UUID, dict[str, Any]] = {}
        self.reason_dialog: StageReasonDialog | None = None
        #: (card, stage) just moved: made current in its new column once the board shows it there
        self._follow: tuple[uuid.UUID, str] | None = None
        self._reading = False
        self._again = False
        title = QLabel(_("Pipeline"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.scope = QComboBox()
        self.scope.addItem(_("My opportunities"), "mine")
        self.scope.addItem(_("Whole team"), "team")
        self.scope.setCurrentIndex(1 if self.managing else 0)
        self.scope.currentIndexChanged.connect(self.reload)
        self.totals = QLabel()
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.totals)
        top.addWidget(self.scope)

        self.reps = QLabel()
        self.reps.setStyleSheet(REPS_STYLE)
        self.reps.setWordWrap(True)
        self.reps.setVisible(False)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()

        self.columns: dict[str, StageColumn] = {}
        strip = QWidget()
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        for stage in STAGES:
            column = StageColumn(stage, self.drop)
            column.cards.customContextMenuRequested.connect(
                lambda point, c=column: self._card_menu(c, point))
            column.cards.itemDoubleClicked.connect(lambda item: self.open_customer(item.data(CARD_ROLE)))
            self.columns[stage] = column
            row.addWidget(column, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(strip)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.reps)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)
        ctx.ops.changed.connect(self._on_changed)
        self.reload()

    @property
    def managing(self) -> bool:
        return self.ctx.session.identity.role in MANAGING

    # --- reading --------------------------------------------------------------------------------
    def reload(self, *_args: object) -> None:
        if self._reading:  # one read at a time; the latest wish runs after it
            self._again = True
            return
        self._reading = True
        mine = self.scope.currentData() == "mine"
        owner = self.ctx.session.identity.user_id if mine else None
        db = self.ctx.session.client.db
        self.ctx.ops.read(lambda: read_board(db, owner)).success(self._show).failure(self._read_failed).run()

    def _read_failed(self, exc: BaseException) -> None:
        self._reading = False
        self._refuse(error_text(exc))

    def _show(self, board: Board) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.reload()
        self.board = board
        self.cards = {c["id"]: c for cards in board.cards.values() for c in cards}
        currency = board.summary.currency
        for stage, _label, figure in board.summary.stages:
            self.columns[stage].show_stage(figure, currency, board.cards.get(stage, []))
        self._follow_card()
        total = board.summary.open_total
        self.totals.setText(_("Open deals: %(count)s · %(figures)s") % {
            "count": fmt.number(total.count), "figures": figure_text(total, currency)})
        self.reps.setVisible(self.managing and self.scope.currentData() == "team")
        self.reps.setText("   |   ".join(
            _("%(rep)s: %(count)s, %(figures)s") % {
                "rep": name or _("Unassigned"), "count": fmt.number(f.count), "figures": figure_text(f, currency)}
            for _owner, name, f in board.summary.reps) or _("No open opportunities."))
        self.loaded = True

    def _follow_card(self) -> None:
        """A moved card becomes the current one of its new column (with the focus, when the board
        had it), so the keyboard can move it on."""
        if self._follow is None:
            return
        opportunity_id, stage = self._follow
        card = self.cards.get(opportunity_id)
        if card is None or card["stage"] != stage:
            return
        self._follow = None
        cards = self.columns[stage].cards
        for row in range(cards.count()):
            if cards.item(row).data(CARD_ROLE) == opportunity_id:
                cards.setCurrentRow(row)
                focused = QApplication.focusWidget()
                if focused is None or self.isAncestorOf(focused):
                    cards.setFocus()
                return

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("opportunity", "party", "app_user"):
            self.reload()

    # --- moving ---------------------------------------------------------------------------------
    def drop(self, opportunity_id: uuid.UUID, stage: str) -> StageReasonDialog | None:
        """A card dropped on `stage` (or chosen in its menu): move it, ask for the reason of won
        or lost, or refuse a move TRANSITIONS forbids (the card stays where it is)."""
        card = self.cards.get(opportunity_id)
        if card is None or card["stage"] == stage:
            return None
        self.error.hide()
        self._follow = None
        if stage not in TRANSITIONS[card["stage"]]:
            self._refuse(error_text(InvalidTransition(field="stage", document=DOCUMENT,
                                                      current=stage_label(card["stage"]), wanted=stage_label(stage))))
            return None
        self._follow = (opportunity_id, stage)
        if stage in CLOSED_STAGES:
            dialog = StageReasonDialog(self.ctx, card, stage, self)
            dialog.rejected.connect(self._not_moved)
            self.reason_dialog = dialog
            dialog.open()
            return dialog
        args = {"id": str(opportunity_id), "stage": {"base": card["stage"], "new": stage}}
        self.ctx.session.mutate("crm.opportunity.move_stage", args).failure(
            lambda exc: self._refuse(error_text(exc))).run()
        return None

    def _not_moved(self) -> None:
        self._follow = None
        self.reload()

    def _refuse(self, text: str) -> None:
        self._follow = None
        self.error.setText(text)
        self.error.show()
        QTimer.singleShot(0, self.reload)  # draw the board again: the dragged card snaps back

    def _card_menu(self, column: StageColumn, point: QPoint) -> QMenu | None:
        item = column.cards.itemAt(point) or column.cards.currentItem()
        if item is None:
            return None
        menu = self.move_menu(item.data(CARD_ROLE))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(column.cards.viewport().mapToGlobal(point))
        return menu

    def move_menu(self, opportunity_id: uuid.UUID) -> QMenu:
        """The keyboard way to move a card: the next or previous stage, and "Move to…" with the
        stages it may go to."""
        card = self.cards[opportunity_id]
        menu = QMenu(self)
        for text, keys, step in ((_("Next stage"), "Ctrl+Right", 1), (_("Previous stage"), "Ctrl+Left", -1)):
            stage = neighbour(card["stage"], step)
            action = menu.addAction(text)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutVisibleInContextMenu(True)
            action.setEnabled(stage is not None and stage in TRANSITIONS[card["stage"]])
            if stage is not None:
                action.triggered.connect(lambda _checked=False, s=stage: self.drop(opportunity_id, s))
        move = menu.addMenu(_("Move to…"))
        for stage in STAGES:
            action = QAction(_(stage_label(stage)), move)
            action.setEnabled(stage in TRANSITIONS[card["stage"]])
            action.triggered.connect(lambda _checked=False, s=stage: self.drop(opportunity_id, s))
            move.addAction(action)
        menu.addAction(_("Open customer"), lambda: self.open_customer(opportunity_id))
        return menu

    def open_customer(self, opportunity_id: uuid.UUID) -> None:
        card = self.cards.get(opportunity_id)
        if card is not None:
            self.ctx.act("open_customer", str(card["party_id"]))
