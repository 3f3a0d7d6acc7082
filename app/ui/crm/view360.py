"""The 360° view of one customer on one screen: who they are, what happened (a timeline of
activities and cases, newest first, paged), who to talk to (contacts, family, birthdays), what
is open (opportunities, service cases) and the quick actions a rep uses most.

Everything is read by one ReadOp from the cache (app.crm.view360), so it works offline; a write
that names this customer's rows reloads it. A rep who may not change the customer sees it
read-only: the quick actions are disabled and say whose customer it is."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.core.schema import metadata
from app.crm import view360 as reads
from app.crm.customers import STATUSES
from app.crm.ownership import may_edit_party
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.activity_dialogs import open_activity_dialog
from app.ui.crm.merge_dialog import DuplicatesHint
from app.ui.crm.purchase_chart import PurchaseChart
from app.ui.crm.quick_opportunity import NewOpportunityDialog
from app.ui.crm.sections import birthdays_html, cases_html, contacts_html, opportunities_html
from app.ui.crm.timeline_model import KIND_LABELS, TimelineModel
from app.ui.errors import error_text
from app.ui.models import configure_view
from app.ui.ops import Changes

#: the timeline filter: label, kinds
FILTERS = ((N_("Everything"), reads.TIMELINE_KINDS), *((KIND_LABELS[k], (k,)) for k in reads.TIMELINE_KINDS))
#: quick actions: object name, label, activity kind ("" = a new opportunity)
ACTIONS = (("log_call", N_("Log call"), "call"), ("log_visit", N_("Log visit"), "visit"),
           ("log_meeting", N_("Log meeting"), "meeting"), ("new_task", N_("New task"), "task"),
           ("add_note", N_("Note"), "note"), ("new_opportunity", N_("New opportunity"), ""),
           ("new_quote", N_("New quote"), "quote"))
#: tables whose rows belong to a customer through their party_id
CHILD_TABLES = ("activity", "contact", "opportunity", "service_case", "party_share")
CARD = "QFrame#{0} {{ background: white; border: 1px solid #e5e7eb; border-radius: 8px; }}"
MUTED = "color: #6b7280;"


@dataclass(frozen=True)
class Loaded:
    party_id: uuid.UUID
    view: reads.Customer360 | None
    may_edit: bool


def load_360(ctx: AppContext, party_id: uuid.UUID, kinds: tuple[str, ...], rows: int) -> Loaded:
    """The view and whether this user may change the customer (on the read pool)."""
    client, who = ctx.session.client, ctx.session.identity
    now = client.clock()
    with reading(client.db) as conn:
        view = reads.view360(conn, party_id, now, kinds=kinds, today=now.astimezone(ZoneInfo(fmt.DISPLAY_TZ)).date())
        if view is None:
            return Loaded(party_id, None, False)
        if rows > reads.TIMELINE_PAGE:  # a reload keeps the pages the user had opened
            view = reads.Customer360(view.header, view.contacts, view.birthdays,
                                     reads.timeline(conn, party_id, kinds, limit=rows),
                                     view.opportunities, view.cases, view.purchases)
        party = {"id": party_id, "owner_id": view.header.owner_id}
        return Loaded(party_id, view, may_edit_party(conn, who.user_id, who.role, party))


def concerns(ctx: AppContext, party_id: uuid.UUID, changes: Changes) -> bool:
    """Whether a write touched this customer or one of its rows (on the read pool)."""
    if changes.everything or str(party_id) in changes.ids("party"):
        return True
    with reading(ctx.session.client.db) as conn:
        for name in CHILD_TABLES:
            ids = [uuid.UUID(i) for i in changes.ids(name)]
            table = metadata.tables[name]
            if ids and conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids),
                                                                table.c.party_id == party_id).limit(1)).first():
                return True
        ids = [uuid.UUID(i) for i in changes.ids("contact_family")]
        if ids:
            family, contact = metadata.tables["contact_family"], metadata.tables["contact"]
            found = conn.execute(sa.select(family.c.id).join(contact, contact.c.id == family.c.contact_id)
                                 .where(family.c.id.in_(ids), contact.c.party_id == party_id).limit(1)).first()
            return found is not None
    return False


def _section(title: str, name: str) -> tuple[QFrame, QLabel]:
    frame = QFrame()
    frame.setObjectName(f"{name}_card")
    frame.setStyleSheet(CARD.format(f"{name}_card"))
    box = QVBoxLayout(frame)
    heading = QLabel(title)
    heading.setStyleSheet("font-weight: 600; font-size: 11pt; color: #111827;")
    body = QLabel()
    body.setObjectName(name)
    body.setWordWrap(True)
    body.setTextFormat(Qt.TextFormat.RichText)
    box.addWidget(heading)
    box.addWidget(body)
    return frame, body


class Customer360Page(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.party_id: uuid.UUID | None = None
        self.loaded: Loaded | None = None
        self.next_before: tuple[dt.datetime, uuid.UUID] | None = None
        self._generation = 0
        self._paging = False
        self.dialogs: list[QWidget] = []
        self._build()
        ctx.ops.changed.connect(self._on_changed)

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        page = QVBoxLayout(self)
        back = QPushButton("← " + _("Back to customers"))
        back.setObjectName("back")
        back.setFlat(True)
        back.setStyleSheet("text-align: left; color: #1d4ed8; padding: 2px;")
        back.clicked.connect(lambda: self.ctx.act("go_to", "customers"))
        page.addWidget(back, 0)
        page.addWidget(self._header(), 0)
        self.read_only = QLabel()
        self.read_only.setObjectName("read_only")
        self.read_only.setStyleSheet("background: #fef3c7; color: #92400e; padding: 6px; border-radius: 4px;")
        self.read_only.hide()
        page.addWidget(self.read_only)
        self.duplicates_hint = DuplicatesHint(self.ctx)
        page.addWidget(self.duplicates_hint)
        actions = QHBoxLayout()
        self.quick_actions: dict[str, QPushButton] = {}
        for name, label, kind in ACTIONS:
            button = QPushButton(_(label))
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, k=kind: self.open_action(k))
            actions.addWidget(button)
            self.quick_actions[name] = button
        actions.addStretch(1)
        page.addLayout(actions)
        body = QHBoxLayout()
        body.addWidget(self._timeline(), 3)
        body.addWidget(self._sides(), 2)
        page.addLayout(body, 1)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        page.addWidget(self.problem)
        self._set_enabled(False, "")

    def _header(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("header")
        frame.setStyleSheet(CARD.format("header"))
        box = QVBoxLayout(frame)
        self.title = QLabel(_("Loading…"))
        self.title.setObjectName("name")
        self.title.setStyleSheet("font-size: 18pt; font-weight: 600; color: #111827;")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setStyleSheet(MUTED)
        self.subtitle.setWordWrap(True)
        figures = QHBoxLayout()
        self.figures: dict[str, QLabel] = {}
        for key, caption in (("revenue", N_("Lifetime revenue")), ("last_order", N_("Last order")),
                             ("last_contact", N_("Last contact")), ("phone", N_("Phone")), ("city", N_("City"))):
            column = QVBoxLayout()
            top = QLabel(_(caption))
            top.setStyleSheet(MUTED)
            value = QLabel("—")
            value.setObjectName(key)
            value.setStyleSheet("font-size: 11pt; font-weight: 600; color: #111827;")
            column.addWidget(top)
            column.addWidget(value)
            figures.addLayout(column)
            figures.addSpacing(16)
            self.figures[key] = value
        figures.addStretch(1)
        box.addWidget(self.title)
        box.addWidget(self.subtitle)
        box.addLayout(figures)
        return frame

    def _timeline(self) -> QWidget:
        frame = QFrame()
        frame.setObjectName("timeline_card")
        frame.setStyleSheet(CARD.format("timeline_card"))
        box = QVBoxLayout(frame)
        top = QHBoxLayout()
        heading = QLabel(_("Timeline"))
        heading.setStyleSheet("font-weight: 600; font-size: 11pt; color: #111827;")
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("kind_filter")
        for label, kinds in FILTERS:
            self.kind_filter.addItem(_(label), kinds)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.reload(keep_rows=False))
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(QLabel(_("Show:")))
        top.addWidget(self.kind_filter)
        box.addLayout(top)
        self.timeline_model = TimelineModel(self)
        self.timeline_view = QTableView()
        self.timeline_view.setObjectName("timeline")
        configure_view(self.timeline_view)
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        char = self.timeline_view.fontMetrics().averageCharWidth()
        header = self.timeline_view.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in enumerate((17, 10, 0, 12, 9)):
            if width:
                self.timeline_view.setColumnWidth(column, width * char + 16)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the subject takes what is left
        self.timeline_view.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.timeline_empty = QLabel(_("Nothing logged yet."))
        self.timeline_empty.setObjectName("timeline_empty")
        self.timeline_empty.setStyleSheet(MUTED + " padding: 8px;")
        self.timeline_empty.hide()
        self.more = QPushButton(_("More…"))
        self.more.setObjectName("more")
        self.more.clicked.connect(self.load_more)
        self.more.hide()
        box.addWidget(self.timeline_view, 1)
        box.addWidget(self.timeline_empty)
        box.addWidget(self.more)
        return frame

    def _sides(self) -> QScrollArea:
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        self.sections: dict[str, QLabel] = {}
        for name, title in (("contacts", N_("Contacts and family")), ("birthdays", N_("Upcoming birthdays")),
                            ("opportunities", N_("Open opportunities")), ("cases", N_("Open service cases"))):
            frame, body = _section(_(title), name)
            column.addWidget(frame)
            self.sections[name] = body
        frame, body = _section(_("Purchase history"), "purchases")
        body.hide()
        self.purchase_chart = PurchaseChart()
        frame.layout().addWidget(self.purchase_chart)
        column.insertWidget(2, frame)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        return scroll

    # --- loading --------------------------------------------------------------------------------
    def show_customer(self, party_id: str) -> None:
        """Show this customer (first page of the timeline; the filter goes back to everything)."""
        self.party_id = uuid.UUID(str(party_id))
        self.kind_filter.blockSignals(True)
        self.kind_filter.setCurrentIndex(0)
        self.kind_filter.blockSignals(False)
        if self.loaded is None or self.loaded.party_id != self.party_id:
            self.timeline_model.set_items([])
            self.title.setText(_("Loading…"))
        self.reload(keep_rows=False)

    def kinds(self) -> tuple[str, ...]:
        return tuple(self.kind_filter.currentData() or reads.TIMELINE_KINDS)

    def reload(self, keep_rows: bool = True) -> None:
        if self.party_id is None:
            return
        self._generation += 1
        generation, party_id, kinds = self._generation, self.party_id, self.kinds()
        rows = len(self.timeline_model.items) if keep_rows else 0
        (self.ctx.ops.read(lambda: load_360(self.ctx, party_id, kinds, rows))
         .success(lambda loaded: self._show(generation, loaded)).failure(self._failed).run())

    def _failed(self, exc: BaseException) -> None:
        self.problem.setText(error_text(exc))
        self.problem.show()

    def _show(self, generation: int, loaded: Loaded) -> None:
        if generation != self._generation:
            return  # an older load, overtaken by a newer one
        self.problem.hide()
        self.loaded = loaded
        view = loaded.view
        if view is None:
            self.title.setText(_("This customer no longer exists."))
            self.subtitle.clear()
            self.timeline_model.set_items([])
            self._set_enabled(False, "")
            self.duplicates_hint.look(None)
            return
        self._show_header(view.header)
        self.timeline_model.set_items(view.timeline.items)
        self._set_next(view.timeline.next_before)
        self.sections["contacts"].setText(contacts_html(view.contacts))
        self.sections["birthdays"].setText(birthdays_html(view.birthdays))
        self.sections["opportunities"].setText(opportunities_html(view.opportunities))
        self.sections["cases"].setText(cases_html(view.cases))
        self.purchase_chart.show_history(view.purchases)
        owner = view.header.owner_name or _("another sales rep")
        self._set_enabled(loaded.may_edit and not view.header.archived, owner)
        self.duplicates_hint.look(loaded.party_id if loaded.may_edit and not view.header.archived else None)

    def _show_header(self, header: reads.Header) -> None:
        self.title.setText(header.name)
        status = _(STATUSES[header.status]) if header.status in STATUSES else header.status
        bits = [header.code or "", status, _("Tier %(tier)s") % {"tier": header.tier} if header.tier else "",
                _("Owner: %(name)s") % {"name": header.owner_name} if header.owner_name else _("No owner"),
                ", ".join(header.tags)]
        self.subtitle.setText(" · ".join(b for b in bits if b))
        self.figures["revenue"].setText(fmt.money(header.lifetime_revenue))
        self.figures["last_order"].setText(fmt.date(header.last_order_at.date()) if header.last_order_at
                                           else _("none yet"))
        self.figures["last_contact"].setText(fmt.datetime(header.last_contact_at, style="short")
                                             if header.last_contact_at else _("never"))
        self.figures["phone"].setText(header.phone or "—")
        self.figures["city"].setText(header.city or "—")

    def _set_enabled(self, editable: bool, owner: str) -> None:
        why = "" if editable else _("Read-only: this customer belongs to %(owner)s.") % {"owner": owner}
        for button in self.quick_actions.values():
            button.setEnabled(editable)
            button.setToolTip(why)
        self.read_only.setText(why)
        self.read_only.setVisible(bool(owner) and not editable)

    def _set_next(self, next_before: tuple[dt.datetime, uuid.UUID] | None) -> None:
        self.next_before = next_before
        self.more.setVisible(next_before is not None)
        empty = not self.timeline_model.items
        self.timeline_empty.setVisible(empty)
        self.timeline_view.setVisible(not empty)

    # --- paging ---------------------------------------------------------------------------------
    def load_more(self) -> None:
        """The next page of the timeline (the "More…" button, or scrolling to the end)."""
        if self.party_id is None or self.next_before is None or self._paging:
            return
        self._paging = True
        generation, party_id, kinds, before = self._generation, self.party_id, self.kinds(), self.next_before

        def read() -> reads.TimelinePage:
            with reading(self.ctx.session.client.db) as conn:
                return reads.timeline(conn, party_id, kinds, before=before)

        self.ctx.ops.read(read).success(lambda page: self._append(generation, page)).failure(self._page_failed).run()

    def _page_failed(self, exc: BaseException) -> None:
        self._paging = False
        self._failed(exc)

    def _append(self, generation: int, page: reads.TimelinePage) -> None:
        self._paging = False
        if generation != self._generation:
            return
        self.timeline_model.append(page.items)
        self._set_next(page.next_before)

    def _scrolled(self, value: int) -> None:
        bar = self.timeline_view.verticalScrollBar()
        if bar.maximum() > 0 and value >= bar.maximum():
            self.load_more()

    # --- actions --------------------------------------------------------------------------------
    def open_action(self, kind: str) -> QWidget | None:
        """Open a quick action's dialog ("" = a new opportunity, "quote" = a new quote); None when
        not allowed."""
        if self.party_id is None or self.loaded is None or not self.loaded.may_edit:
            return None
        if kind == "quote":
            from app.ui.erp.order_editor import OrderEditor  # the ERP screens load when first used

            dialog = OrderEditor(self.ctx, party_id=self.party_id, parent=self)
            dialog.show()
        elif kind:
            dialog = open_activity_dialog(self.ctx, self, str(self.party_id), kind)
        else:
            dialog = NewOpportunityDialog(self.ctx, self.party_id, self)
            dialog.show()
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]
        return dialog

    def _on_changed(self, changes: Changes) -> None:
        party_id = self.party_id
        if party_id is None:
            return
        self.ctx.ops.read(lambda: concerns(self.ctx, party_id, changes)).success(
            lambda hit: self.reload() if hit and party_id == self.party_id else None).run()
