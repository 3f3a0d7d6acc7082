"""A read-only summary of one record, opened from a global search hit (until the CRM and
inventory screens bring full ones): a customer or supplier with its contacts and latest
activities, a contact with its customer, a product with its stock on hand per location."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.core.schema import metadata
from app.sync import SyncClient
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.search import KIND_COLORS, kind_label

#: the latest activities a customer's summary lists
ACTIVITIES = 20

STATUS_LABELS = {"prospect": N_("Prospect"), "active": N_("Active"), "dormant": N_("Dormant"), "lost": N_("Lost")}
ACTIVITY_LABELS = {"call": N_("Call"), "meeting": N_("Meeting"), "visit": N_("Visit"), "task": N_("Task"),
                   "note": N_("Note")}


@dataclass
class Section:
    """A table under the fields: a heading, column titles, rows of text; `links` gives each row
    the (kind, id) it opens on double-click, if any."""

    heading: str
    columns: list[str]
    rows: list[list[str]]
    links: list[tuple[str, str] | None] = field(default_factory=list)
    empty: str = ""


@dataclass
class RecordView:
    kind: str
    title: str
    fields: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)
    #: (button text, kind, id) of a related record
    related: tuple[str, str, str] | None = None


def _label(labels: dict[str, str], code: str | None) -> str:
    return _(labels[code]) if code in labels else (code or "")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def load_record(client: SyncClient, kind: str, row_id: str) -> RecordView | None:
    """What the summary shows, read from the cache (a worker runs it); None when the record is
    gone or archived."""
    table = {"customer": "party", "supplier": "party", "contact": "contact", "product": "product"}.get(kind)
    if table is None:
        return None
    row = client.get(table, row_id)
    if row is None or row["archived"]:
        return None
    if table == "party":
        return _party(client, kind, row)
    if table == "contact":
        return _contact(client, row)
    return _product(client, row)


def _party(client: SyncClient, kind: str, row: dict[str, Any]) -> RecordView:
    users, contacts, activities = (metadata.tables[n] for n in ("app_user", "contact", "activity"))
    with reading(client.db) as conn:
        owner = conn.execute(sa.select(users.c.display_name).where(users.c.id == row["owner_id"])).scalar() \
            if row["owner_id"] else None
        people = conn.execute(
            sa.select(contacts).where(contacts.c.party_id == row["id"], contacts.c.archived.is_(False))
            .order_by(contacts.c.name)).mappings().all()
        latest = conn.execute(
            sa.select(activities).where(activities.c.party_id == row["id"], activities.c.archived.is_(False))
            .order_by(activities.c.occurred_at.desc()).limit(ACTIVITIES)).mappings().all()
    limit = row["credit_limit"]
    fields = [
        (_("Code"), _text(row["code"]) or _("(given when first synced)")),
        (_("Status"), _label(STATUS_LABELS, row["status"])),
        (_("Tier"), _text(row["tier"])),
        (_("Owner"), _text(owner)),
        (_("Phone"), _text(row["phone"])),
        (_("Email"), _text(row["email"])),
        (_("City"), _text(row["city"])),
        (_("Credit limit"), fmt.money(limit) if limit is not None else ""),
    ]
    sections = [
        Section(_("Contacts"), [_("Name"), _("Title"), _("Phone"), _("Email")],
                [[p["name"], _text(p["title"]), _text(p["phone"]), _text(p["email"])] for p in people],
                [("contact", str(p["id"])) for p in people], _("No contacts yet.")),
        Section(_("Latest activities"), [_("When"), _("Kind"), _("Subject")],
                [[fmt.datetime(a["occurred_at"], style="short"), _label(ACTIVITY_LABELS, a["kind"]), a["subject"]]
                 for a in latest], [], _("No activities yet.")),
    ]
    return RecordView(kind, row["name"], fields, sections)


def _contact(client: SyncClient, row: dict[str, Any]) -> RecordView:
    party = client.get("party", row["party_id"])
    birthday = fmt.date(row["birthday"]) if row["birthday"] else ""
    if birthday and row["birthday_lunar"]:
        birthday = _("%(date)s (lunar calendar)") % {"date": birthday}
    fields = [
        (_("Customer"), party["name"] if party else ""),
        (_("Title"), _text(row["title"])),
        (_("Phone"), _text(row["phone"])),
        (_("Email"), _text(row["email"])),
        (_("Birthday"), birthday),
        (_("Notes"), _text(row["notes"])),
    ]
    related = None
    if party is not None and not party["archived"]:
        kind = "customer" if party["is_customer"] or not party["is_supplier"] else "supplier"
        related = (_("Open %(name)s") % {"name": party["name"]}, kind, str(party["id"]))
    return RecordView("contact", row["name"], fields, [], related)


def _product(client: SyncClient, row: dict[str, Any]) -> RecordView:
    locations = metadata.tables["location"]
    with reading(client.db) as conn:
        internal = conn.execute(
            sa.select(locations.c.id, locations.c.code, locations.c.name)
            .where(locations.c.kind == "internal", locations.c.archived.is_(False)).order_by(locations.c.code)).all()
    stock: list[tuple[str, str, Decimal]] = [
        (loc.code, loc.name, client.on_hand(row["id"], loc.id)) for loc in internal]
    price = row["list_price"]
    fields = [
        (_("SKU"), row["sku"]),
        (_("Unit"), row["uom"]),
        (_("List price"), fmt.money(price) if price is not None else ""),
        (_("On hand"), fmt.number(client.on_hand(row["id"]))),
    ]
    section = Section(_("On hand by location"), [_("Location"), _("Name"), _("On hand")],
                      [[code, name, fmt.number(qty)] for code, name, qty in stock if qty], [],
                      _("No stock in any location."))
    return RecordView("product", row["name"], fields, [section])


class RecordDialog(QDialog):
    """The read-only summary of one customer, supplier, contact or product."""

    def __init__(self, ctx: AppContext, kind: str, row_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.row_id = str(uuid.UUID(str(row_id)))
        self.view: RecordView | None = None
        self.setObjectName("record_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(kind_label(kind))
        self.resize(620, 560)
        self._layout = QVBoxLayout(self)
        self.status = QLabel(_("Loading…"))
        self.status.setObjectName("record_status")
        self._layout.addWidget(self.status)
        self._body = QWidget()
        self._layout.addWidget(self._body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self._layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        client = self.ctx.session.client
        kind, row_id = self.kind, self.row_id
        self.ctx.ops.read(lambda: load_record(client, kind, row_id)).success(self._show).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def _show(self, view: RecordView | None) -> None:
        self.view = view
        if view is None:
            self.status.setText(_("This record is no longer in your data: it was archived or deleted."))
            return
        self.status.hide()
        self.setWindowTitle(f"{kind_label(view.kind)} — {view.title}")
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QLabel(
            f'<span style="background:{KIND_COLORS.get(view.kind, "#6b7280")}; color:white;">&nbsp;'
            f"{kind_label(view.kind)}&nbsp;</span>&nbsp; <b>{_escape(view.title)}</b>")
        header.setObjectName("record_title")
        header.setStyleSheet("font-size: 15pt; padding: 4px 0 8px 0;")
        layout.addWidget(header)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for label, value in view.fields:
            shown = QLabel(value or "—")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, shown)
        layout.addLayout(form)
        if view.related is not None:
            text, kind, row_id = view.related
            button = QPushButton(text)
            button.setObjectName("record_related")
            button.clicked.connect(lambda: self.ctx.act("open_record", kind, row_id))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        for section in view.sections:
            heading = QLabel(f"<b>{_escape(section.heading)}</b>")
            heading.setContentsMargins(0, 10, 0, 2)
            layout.addWidget(heading)
            if not section.rows:
                layout.addWidget(QLabel(section.empty))
                continue
            layout.addWidget(self._table(section), 1)
        layout.addStretch(0)

    def _table(self, section: Section) -> QTableWidget:
        table = QTableWidget(len(section.rows), len(section.columns))
        table.setObjectName("record_table")
        table.setHorizontalHeaderLabels(section.columns)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        for r, values in enumerate(section.rows):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeRowsToContents()
        shown_rows = min(len(section.rows), 8)  # taller lists scroll
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height()
                               + sum(table.rowHeight(r) for r in range(shown_rows)) + 2 * table.frameWidth())
        if section.links:
            links = section.links

            def open_link(row: int, _column: int) -> None:
                link = links[row] if row < len(links) else None
                if link is not None:
                    self.ctx.act("open_record", *link)

            table.cellDoubleClicked.connect(open_link)
        return table

    def texts(self) -> list[str]:
        """Every text the summary shows (tests and accessibility checks)."""
        found = [w.text() for w in self.findChildren(QLabel)] + [b.text() for b in self.findChildren(QPushButton)]
        for table in self.findChildren(QTableWidget):
            found += [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
                      if table.item(r, c) is not None]
        return found


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
