"""The Pipeline kanban on real opportunities in a rep's cache: columns carry the stage sums, a card
dragged with the mouse (or moved with Ctrl+Right / Ctrl+Left) onto another column moves its stage,
won asks for a reason, a move the stage table forbids is refused with the card left where it was,
and a manager sees the per-rep figures."""

from __future__ import annotations

import uuid
from typing import ClassVar

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidget

from app.core.ids import new_id
from app.core.schema import metadata
from app.sync.cache import reading
from app.ui.crm import pipeline_board
from app.ui.crm.pipeline import PipelinePage
from app.ui.crm.pipeline_board import CARD_MIME, CARD_ROLE, card_mime, card_of

opportunity = metadata.tables["opportunity"]


def _customer(client, name: str) -> uuid.UUID:
    party = new_id()
    client.mutate("crm.customer.create", {"id": str(party), "name": name})
    return party


def _deal(client, party: uuid.UUID, name: str, amount: str, stage: str = "lead_in") -> uuid.UUID:
    deal = new_id()
    client.mutate("crm.opportunity.create", {"id": str(deal), "party_id": str(party), "name": name,
                                             "amount": amount, "stage": stage})
    return deal


def _stage(client, deal: uuid.UUID) -> str:
    with reading(client.db) as conn:
        return conn.execute(sa.select(opportunity.c.stage).where(opportunity.c.id == deal)).scalar_one()


def _page(qtbot, ctx) -> PipelinePage:
    page = PipelinePage(ctx)
    qtbot.addWidget(page)
    page.resize(1400, 600)
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    return page


def _cards(page: PipelinePage, stage: str) -> list[uuid.UUID]:
    cards = page.columns[stage].cards
    return [cards.item(i).data(CARD_ROLE) for i in range(cards.count())]


@pytest.fixture
def rep(desk):
    c = desk.client("rep1")
    assert c.sync().ok
    return c


def test_columns_show_count_amount_and_weighted_amount_of_real_opportunities(qtbot, desk, rep):
    acme = _customer(rep, "Acme")
    a = _deal(rep, acme, "Big order", "10000.00", "proposal")
    b = _deal(rep, acme, "Small order", "2500.50", "proposal")
    c = _deal(rep, acme, "New idea", "800.00")
    page = _page(qtbot, desk.context(rep))

    proposal = page.columns["proposal"]
    assert proposal.title.text() == "Proposal (2)"
    # proposal weighs 50 %
    assert proposal.figures.text() == "CN¥12,500.50 · weighted CN¥6,250.25"
    assert set(_cards(page, "proposal")) == {a, b}
    assert _cards(page, "lead_in") == [c]
    assert page.columns["lead_in"].figures.text() == "CN¥800.00 · weighted CN¥80.00"
    assert page.columns["won"].title.text() == "Closed won (0)"
    assert "Acme" in page.columns["lead_in"].cards.item(0).text()
    assert "CN¥800.00" in page.columns["lead_in"].cards.item(0).text()


def test_a_card_dropped_on_another_column_moves_its_stage(qtbot, desk, rep):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00")
    page = _page(qtbot, desk.context(rep))
    assert page.drop(deal, "negotiation") is None  # an open stage needs no question
    qtbot.waitUntil(lambda: _cards(page, "negotiation") == [deal], timeout=10_000)
    assert _stage(rep, deal) == "negotiation"
    assert _cards(page, "lead_in") == []
    assert page.columns["negotiation"].figures.text() == "CN¥1,000.00 · weighted CN¥750.00"


def test_won_asks_for_a_reason_and_cancel_leaves_the_card(qtbot, desk, rep):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00", "negotiation")
    page = _page(qtbot, desk.context(rep))
    dialog = page.drop(deal, "won")
    assert dialog is not None and not dialog.ok_button.isEnabled()
    dialog.reject()
    qtbot.wait(50)
    assert _stage(rep, deal) == "negotiation"

    dialog = page.drop(deal, "won")
    dialog.reason.setPlainText("价格最优 best price")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: _cards(page, "won") == [deal], timeout=10_000)
    with reading(rep.db) as conn:
        row = conn.execute(sa.select(opportunity).where(opportunity.c.id == deal)).mappings().one()
    assert (row["stage"], row["close_reason"], row["probability"]) == ("won", "价格最优 best price", 100)


def test_a_forbidden_move_is_refused_and_the_card_stays(qtbot, desk, rep):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00", "negotiation")
    rep.mutate("crm.opportunity.move_stage", {"id": str(deal), "stage": {"base": "negotiation", "new": "won"},
                                              "reason": "signed"})
    page = _page(qtbot, desk.context(rep))
    assert _cards(page, "won") == [deal]
    assert page.drop(deal, "lead_in") is None
    assert page.error.isVisibleTo(page)
    assert page.error.text() == "This opportunity cannot go from Closed won to Lead-in."
    qtbot.wait(100)
    assert _stage(rep, deal) == "won"
    assert _cards(page, "won") == [deal] and _cards(page, "lead_in") == []
    # the keyboard menu offers only the allowed stages
    [move] = [a.menu() for a in page.move_menu(deal).actions() if a.menu() is not None]
    allowed = {a.text() for a in move.actions() if a.isEnabled()}
    assert allowed == {"Negotiation"}


def test_double_click_opens_the_customer(qtbot, desk, rep):
    party = _customer(rep, "Acme")
    _deal(rep, party, "Order", "1.00")
    ctx = desk.context(rep)
    opened: list[str] = []
    ctx.actions["open_customer"] = opened.append
    page = _page(qtbot, ctx)
    cards = page.columns["lead_in"].cards
    cards.itemDoubleClicked.emit(cards.item(0))
    assert opened == [str(party)]


def test_a_manager_sees_each_reps_open_figures(qtbot, desk):
    boss = desk.client("boss", role="manager")
    rep1, rep2 = desk.client("rep1"), desk.client("rep2")
    assert boss.sync().ok
    _deal(rep1, _customer(rep1, "Acme"), "A", "1000.00", "proposal")
    _deal(rep2, _customer(rep2, "Beta"), "B", "400.00")
    for c in (rep1, rep2):
        assert c.sync().ok
    assert boss.sync().ok
    page = _page(qtbot, desk.context(boss))
    assert page.scope.currentData() == "team"
    assert page.reps.isVisibleTo(page)
    text = page.reps.text()
    assert "rep1: 1, CN¥1,000.00 · weighted CN¥500.00" in text
    assert "rep2: 1, CN¥400.00 · weighted CN¥40.00" in text
    assert text.index("rep1") < text.index("rep2")  # largest weighted first


def test_a_rep_starts_with_their_own_deals_and_can_look_at_the_team(qtbot, desk, rep):
    other = desk.client("rep2")
    _deal(other, _customer(other, "Beta"), "Theirs", "400.00")
    assert other.sync().ok
    mine = _deal(rep, _customer(rep, "Acme"), "Mine", "100.00")
    assert rep.sync().ok
    page = _page(qtbot, desk.context(rep))
    assert page.scope.currentData() == "mine" and not page.reps.isVisibleTo(page)
    assert _cards(page, "lead_in") == [mine]
    page.scope.setCurrentIndex(page.scope.findData("team"))
    qtbot.waitUntil(lambda: len(_cards(page, "lead_in")) == 2, timeout=10_000)
    assert page.columns["lead_in"].figures.text().startswith("CN¥500.00")


class PlatformDrag(QDrag):
    """The platform's part of a drag, which the offscreen platform leaves out (there QDrag.exec
    returns at once): carries the drag to `target` at `at` with real drag-enter, drag-move and
    drop events, and answers what the target did."""

    made: ClassVar[list[PlatformDrag]] = []
    target: ClassVar[QListWidget | None] = None
    at = QPoint(20, 20)

    def exec(self, supportedActions=Qt.DropAction.MoveAction, *_args) -> Qt.DropAction:
        PlatformDrag.made.append(self)
        assert self.target is not None
        viewport, mime, buttons = self.target.viewport(), self.mimeData(), Qt.MouseButton.LeftButton
        enter = QDragEnterEvent(self.at, supportedActions, mime, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, enter)
        if not enter.isAccepted():
            return Qt.DropAction.IgnoreAction
        move = QDragMoveEvent(self.at, supportedActions, mime, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, move)
        if not move.isAccepted():
            return Qt.DropAction.IgnoreAction
        drop = QDropEvent(QPointF(self.at), supportedActions, mime, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, drop)
        return drop.dropAction() if drop.isAccepted() else Qt.DropAction.IgnoreAction


def _drag_with_the_mouse(qtbot, source: QListWidget, row: int) -> None:
    """Press on a card and move the mouse past the drag distance, as a hand on a mouse does."""
    start = source.visualItemRect(source.item(row)).center()
    viewport = source.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    step = QApplication.startDragDistance()
    for n in range(1, 5):
        QTest.mouseMove(viewport, start + QPoint(step * n, step * n))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(step * 4, step * 4))


def test_dragging_a_card_with_the_mouse_onto_another_column_moves_it(qtbot, desk, rep, monkeypatch):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00")
    page = _page(qtbot, desk.context(rep))
    page.show()
    qtbot.waitExposed(page)
    monkeypatch.setattr(pipeline_board, "QDrag", PlatformDrag)
    monkeypatch.setattr(PlatformDrag, "made", [])
    monkeypatch.setattr(PlatformDrag, "target", page.columns["proposal"].cards)

    _drag_with_the_mouse(qtbot, page.columns["lead_in"].cards, 0)

    [drag] = PlatformDrag.made
    assert drag.mimeData().formats() == [CARD_MIME]
    assert card_of(drag.mimeData()) == (deal, "lead_in")
    qtbot.waitUntil(lambda: _cards(page, "proposal") == [deal], timeout=10_000)
    assert _stage(rep, deal) == "proposal"
    assert _cards(page, "lead_in") == []
    assert page.columns["proposal"].cards.currentItem().data(CARD_ROLE) == deal


def test_a_drop_from_elsewhere_or_onto_the_cards_own_column_changes_nothing(qtbot, desk, rep):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00", "qualified")
    page = _page(qtbot, desk.context(rep))
    qualified = page.columns["qualified"].cards.viewport()
    foreign = QMimeData()
    foreign.setText(str(deal))  # text dragged from another program
    own_column = card_mime(deal, "qualified")
    for mime, target in ((foreign, page.columns["won"].cards.viewport()), (own_column, qualified)):
        enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, enter)
        assert not enter.isAccepted()
        drop = QDropEvent(QPointF(10, 10), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, drop)
        assert not drop.isAccepted()
    assert page.reason_dialog is None
    qtbot.wait(50)
    assert _stage(rep, deal) == "qualified" and _cards(page, "qualified") == [deal]


def test_ctrl_right_and_ctrl_left_move_the_current_card_and_it_keeps_the_focus(qtbot, desk, rep):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00")
    page = _page(qtbot, desk.context(rep))
    ctrl = Qt.KeyboardModifier.ControlModifier

    def current(stage: str) -> uuid.UUID | None:
        item = page.columns[stage].cards.currentItem()
        return None if item is None else item.data(CARD_ROLE)

    lead_in = page.columns["lead_in"].cards
    lead_in.setCurrentRow(0)
    qtbot.keyClick(lead_in, Qt.Key.Key_Right, ctrl)
    qtbot.waitUntil(lambda: current("qualified") == deal, timeout=10_000)
    assert _stage(rep, deal) == "qualified"

    qtbot.keyClick(page.columns["qualified"].cards, Qt.Key.Key_Right, ctrl)
    qtbot.waitUntil(lambda: current("proposal") == deal, timeout=10_000)
    qtbot.keyClick(page.columns["proposal"].cards, Qt.Key.Key_Left, ctrl)
    qtbot.waitUntil(lambda: current("qualified") == deal, timeout=10_000)
    assert _stage(rep, deal) == "qualified"
    qtbot.keyClick(page.columns["qualified"].cards, Qt.Key.Key_Left, ctrl)
    qtbot.waitUntil(lambda: current("lead_in") == deal, timeout=10_000)
    # the first column has nothing before it: Ctrl+Left there does nothing
    qtbot.keyClick(page.columns["lead_in"].cards, Qt.Key.Key_Left, ctrl)
    qtbot.wait(50)
    assert _stage(rep, deal) == "lead_in" and not page.error.isVisibleTo(page)

    menu = page.move_menu(deal)
    steps = {a.text(): (a.isEnabled(), a.shortcut().toString()) for a in menu.actions() if a.menu() is None}
    assert steps["Next stage"] == (True, "Ctrl+Right")
    assert steps["Previous stage"] == (False, "Ctrl+Left")


def test_ctrl_right_into_won_asks_for_the_reason(qtbot, desk, rep):
    deal = _deal(rep, _customer(rep, "Acme"), "Order", "1000.00", "negotiation")
    page = _page(qtbot, desk.context(rep))
    cards = page.columns["negotiation"].cards
    cards.setCurrentRow(0)
    qtbot.keyClick(cards, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    dialog = page.reason_dialog
    assert dialog is not None and dialog.stage == "won"
    dialog.reason.setPlainText("signed")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: _cards(page, "won") == [deal], timeout=10_000)
    assert _stage(rep, deal) == "won"
