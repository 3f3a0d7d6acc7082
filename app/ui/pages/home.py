"""Home: what each role looks at first. A rep sees their customers and recent work, a manager the
team's week, a clerk and a planner the stock ledger; everyone sees what waits to be synced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.crm.summary import CrmSummary, crm_summary
from app.erp.summary import StockSummary, stock_summary
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.ops import Changes
from app.ui.session import Counts

ACTIVITY_KINDS = {"call": N_("Call"), "meeting": N_("Meeting"), "visit": N_("Visit"), "task": N_("Task"),
                  "note": N_("Note")}
MOVE_KINDS = {"receipt": N_("Receipt"), "delivery": N_("Delivery"), "transfer": N_("Transfer"),
              "adjustment": N_("Adjustment"), "count": N_("Count")}
STATUSES = {"prospect": N_("Prospect"), "active": N_("Active"), "dormant": N_("Dormant"), "lost": N_("Lost")}
CRM_ROLES = {"sales_rep", "manager", "admin"}
STOCK_ROLES = {"clerk", "planner", "manager", "admin"}


@dataclass
class HomeData:
    crm: CrmSummary | None
    stock: StockSummary | None


def _card(value: str, label: str, name: str) -> QFrame:
    card = QFrame()
    card.setObjectName(name)
    card.setStyleSheet("QFrame { background: white; border: 1px solid #e5e7eb; border-radius: 8px; }"
                       "QLabel { border: none; }")
    box = QVBoxLayout(card)
    number = QLabel(value)
    number.setObjectName("value")
    number.setStyleSheet("font-size: 22pt; font-weight: 600; color: #111827;")
    caption = QLabel(label)
    caption.setStyleSheet("color: #4b5563;")
    caption.setWordWrap(True)
    box.addWidget(number)
    box.addWidget(caption)
    return card


def _table(headers: list[str], rows: list[list[str]], name: str, empty: str) -> QWidget:
    if not rows:
        label = QLabel(empty)
        label.setObjectName(name)
        label.setStyleSheet("color: #6b7280; padding: 8px;")
        return label
    table = QTableWidget(len(rows), len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.setMinimumHeight(min(360, 32 + 30 * len(rows)))
    return table


class HomePage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.data: HomeData | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.scroll)
        self.body = QWidget()
        self.scroll.setWidget(self.body)
        self._reload = QTimer(self, singleShot=True, interval=300)
        self._reload.timeout.connect(self.load)
        ctx.ops.changed.connect(self._on_changed)
        ctx.session.counts_changed.connect(self._on_counts)
        self.load()

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("party", "activity", "stock_move", "product", "location", "app_user"):
            self._reload.start()

    def _on_counts(self, _counts: Counts) -> None:
        if self.data is not None:
            self._render(self.data)

    def load(self) -> None:
        session = self.ctx.session
        ident = session.identity
        now = dt.datetime.now(dt.UTC)
        local_midnight = dt.datetime.now(ZoneInfo(fmt.DISPLAY_TZ)).replace(hour=0, minute=0, second=0, microsecond=0)

        def read() -> HomeData:
            with reading(session.client.db) as conn:
                crm = None
                if ident.role in CRM_ROLES:
                    owner = ident.user_id if ident.role == "sales_rep" else None
                    crm = crm_summary(conn, now, owner_id=owner)
                stock = stock_summary(conn, now, local_midnight) if ident.role in STOCK_ROLES else None
            return HomeData(crm, stock)

        self.ctx.ops.read(read).success(self._render).run()

    def _render(self, data: HomeData) -> None:
        self.data = data
        self.body = QWidget()
        self.body.setObjectName("home_body")
        box = QVBoxLayout(self.body)
        box.setContentsMargins(24, 18, 24, 18)
        box.setSpacing(14)
        ident = self.ctx.session.identity
        hello = QLabel(_("Hello, %(name)s") % {"name": ident.display_name})
        hello.setStyleSheet("font-size: 18pt; font-weight: 600;")
        today = QLabel(fmt.date(dt.datetime.now(ZoneInfo(fmt.DISPLAY_TZ)).date(), style="full"))
        today.setStyleSheet("color: #4b5563;")
        box.addWidget(hello)
        box.addWidget(today)
        cards = QGridLayout()
        cards.setSpacing(12)
        items = self._cards(data)
        for i, (value, label, name) in enumerate(items):
            cards.addWidget(_card(value, label, name), i // 4, i % 4)
        box.addLayout(cards)
        if data.crm is not None:
            box.addWidget(self._section(_("Latest activities")))
            box.addWidget(_table(
                [_("When"), _("Kind"), _("Subject"), _("Customer"), _("By")],
                [[fmt.datetime(a.occurred_at, style="short"), _(ACTIVITY_KINDS.get(a.kind, a.kind)), a.subject,
                  a.customer, a.by] for a in data.crm.recent],
                "recent_activities", _("No activities yet.")))
            if data.crm.by_rep_7d:
                box.addWidget(self._section(_("Team activity, last 7 days")))
                box.addWidget(_table([_("Sales rep"), _("Activities")],
                                     [[name, fmt.number(n)] for name, n in data.crm.by_rep_7d],
                                     "team_activity", _("No activities in the last 7 days.")))
        if data.stock is not None:
            box.addWidget(self._section(_("Latest stock moves")))
            box.addWidget(_table(
                [_("When"), _("Kind"), _("SKU"), _("Product"), _("Quantity"), _("From"), _("To")],
                [[fmt.datetime(m.moved_at, style="short"), _(MOVE_KINDS.get(m.kind, m.kind)), m.sku, m.product,
                  fmt.number(m.qty), m.source, m.target] for m in data.stock.recent],
                "recent_moves", _("No stock moves yet.")))
        box.addStretch(1)
        self.scroll.setWidget(self.body)  # deletes the previous body

    def _cards(self, data: HomeData) -> list[tuple[str, str, str]]:
        counts = self.ctx.session.counts
        items: list[tuple[str, str, str]] = []
        if data.crm is not None:
            mine = self.ctx.session.identity.role == "sales_rep"
            items += [
                (fmt.number(data.crm.customers), _("My customers") if mine else _("Customers"), "card_customers"),
                (fmt.number(data.crm.by_status.get("active", 0)), _(STATUSES["active"]), "card_active"),
                (fmt.number(data.crm.activities_7d), _("Activities in the last 7 days"), "card_activities"),
                (fmt.number(data.crm.open_tasks), _("Open tasks"), "card_tasks"),
            ]
        if data.stock is not None:
            items += [
                (fmt.number(data.stock.products), _("Products"), "card_products"),
                (fmt.number(data.stock.locations), _("Stock locations"), "card_locations"),
                (fmt.number(data.stock.moves_today), _("Stock moves today"), "card_moves_today"),
                (fmt.number(data.stock.out_of_stock), _("Products out of stock"), "card_out_of_stock"),
            ]
        items.append((fmt.number(counts.pending), _("Changes waiting to be sent"), "card_pending"))
        if counts.inbox:
            items.append((fmt.number(counts.inbox), _("Conflicts and refused changes to settle"), "card_inbox"))
        return items

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-size: 13pt; font-weight: 600; margin-top: 6px;")
        return label
