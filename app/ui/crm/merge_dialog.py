"""Merge two records of one customer: the one that stays and the duplicate that goes, side by side
with what each holds. Confirming runs crm.customer.merge: every contact, activity, opportunity,
case and order of both is kept on the customer that stays, the duplicate is archived, and the
fields the kept one lacks are filled from it; then the kept customer's 360° view opens.

Also the 360° view's "possible duplicates" line, which leads here."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Connection

from app.core.i18n import N_, _
from app.core.schema import metadata
from app.crm.duplicates import find_duplicates
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.case_dialogs import CustomerPicker
from app.ui.crm.forms import ERROR_STYLE
from app.ui.errors import error_text
from app.ui.ops import Changes
from app.ui.pages.users import NOTE_STYLE

party = metadata.tables["party"]
app_user = metadata.tables["app_user"]
#: what the two sides show: key, label; the fields a merge fills come first
FIELDS = (("name", N_("Name")), ("code", N_("Code")), ("phone", N_("Phone")), ("email", N_("E-mail")),
          ("city", N_("City")), ("owner", N_("Owner")))
#: shown fields the kept customer takes from the duplicate when it has none (as crm.customer.merge)
FILLED = ("code", "phone", "email", "city", "owner")
#: key, table, label of the records counted on each side
COUNTED = (("contacts", "contact", N_("Contacts")), ("activities", "activity", N_("Activities")),
           ("opportunities", "opportunity", N_("Opportunities")), ("cases", "service_case", N_("Service cases")))
FILL_STYLE = "color: #1d6b3a;"


@dataclass(frozen=True)
class MergeSide:
    """One customer as the merge dialog shows it."""

    id: uuid.UUID
    values: dict[str, str | None]
    counts: dict[str, int] = field(default_factory=dict)
    merged_into: uuid.UUID | None = None


def load_side(conn: Connection, party_id: uuid.UUID) -> MergeSide | None:
    """The customer's shown fields and how many live contacts, activities, opportunities and
    cases it has (None: no such customer)."""
    owner = sa.select(app_user.c.display_name).where(app_user.c.id == party.c.owner_id).scalar_subquery()
    row = conn.execute(sa.select(party.c.name, party.c.code, party.c.phone, party.c.email, party.c.city,
                                 owner.label("owner"), party.c.merged_into).where(party.c.id == party_id)
                       ).mappings().first()
    if row is None:
        return None
    counts = {}
    for key, table_name, _label in COUNTED:
        t = metadata.tables[table_name]
        counts[key] = conn.execute(sa.select(sa.func.count()).select_from(t).where(
            t.c.party_id == party_id, t.c.archived.is_(False))).scalar_one()
    return MergeSide(party_id, {k: row[k] or None for k, _label in FIELDS}, counts, row["merged_into"])


class MergeDialog(QDialog):
    """Merge `merged_id` into `kept_id`; without `merged_id` a search finds the duplicate."""

    #: both sides were read and are shown
    loaded = Signal()
    #: the merge is in the cache: the id of the customer that stays
    merged = Signal(str)

    def __init__(self, ctx: AppContext, kept_id: uuid.UUID | str, merged_id: uuid.UUID | str | None = None,
                 parent: QWidget | None = None, *, suggest: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kept_id = uuid.UUID(str(kept_id))
        self.merged_id = None if merged_id is None else uuid.UUID(str(merged_id))
        self.sides: dict[uuid.UUID, MergeSide] = {}
        self._suggest = suggest
        self._generation = 0
        self.setWindowTitle(_("Merge customers"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        self.picker: CustomerPicker | None = None
        if self.merged_id is None:
            layout.addWidget(QLabel(_("Find the duplicate to merge into this customer:")))
            self.picker = CustomerPicker(ctx)
            self.picker.results.currentItemChanged.connect(lambda *_a: self._picked())
            self.picker.results.model().rowsInserted.connect(lambda *_a: self._hide_kept())
            layout.addWidget(self.picker)
        layout.addWidget(self._build_sides())
        self.statement = QLabel()
        self.statement.setObjectName("statement")
        self.statement.setWordWrap(True)
        self.statement.setStyleSheet(NOTE_STYLE)
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.merge_button = self.buttons.addButton(_("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.statement)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.reload()

    def _build_sides(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("sides")
        frame.setStyleSheet("QFrame#sides { background: white; border: 1px solid #e5e7eb; border-radius: 8px; }")
        grid = QGridLayout(frame)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        self.headings = (QLabel(), QLabel())
        for column, heading in enumerate(self.headings, start=1):
            heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
            grid.addWidget(heading, 0, column)
        self.swap_button = QPushButton("⇄ " + _("Swap"))
        self.swap_button.setToolTip(_("Keep the other customer instead"))
        self.swap_button.clicked.connect(self.swap)
        grid.addWidget(self.swap_button, 0, 3, Qt.AlignmentFlag.AlignRight)
        self.cells: dict[str, tuple[QLabel, QLabel]] = {}
        rows = [*FIELDS, *((key, label) for key, _table, label in COUNTED)]
        for line, (key, label) in enumerate(rows, start=1):
            caption = QLabel(_(label))
            caption.setStyleSheet("color: #6b7280;")
            grid.addWidget(caption, line, 0)
            pair = (QLabel(), QLabel())
            for column, cell in enumerate(pair, start=1):
                cell.setObjectName(f"{key}_{'kept' if column == 1 else 'merged'}")
                cell.setMinimumHeight(cell.fontMetrics().height() + 2)  # a row keeps its height while empty
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(cell, line, column)
            self.cells[key] = pair
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return frame

    # --- reading ---------------------------------------------------------------------------------
    def _hide_kept(self) -> None:
        """The search lists every customer; the one that stays is not a candidate."""
        assert self.picker is not None
        results = self.picker.results
        for row in range(results.count()):
            item = results.item(row)
            item.setHidden(item.data(Qt.ItemDataRole.UserRole) == str(self.kept_id))

    def _picked(self) -> None:
        chosen = None if self.picker is None else self.picker.party_id()
        self.merged_id = None if chosen is None else uuid.UUID(chosen)
        self.reload()

    def reload(self) -> None:
        """Read both customers (on the read pool) and show them."""
        self._generation += 1
        generation, wanted = self._generation, [i for i in (self.kept_id, self.merged_id) if i is not None]
        db = self.ctx.session.client.db

        def read() -> dict[uuid.UUID, MergeSide]:
            with reading(db) as conn:
                return {i: side for i in wanted if (side := load_side(conn, i)) is not None}

        self.merge_button.setEnabled(False)
        self.ctx.ops.read(read).success(lambda sides: self._arrived(generation, sides)).failure(self._failed).run()

    def _arrived(self, generation: int, sides: dict[uuid.UUID, MergeSide]) -> None:
        if generation != self._generation:
            return  # the user picked another customer meanwhile
        self.sides = sides
        if self._suggest and self.merged_id in sides and self.kept_id in sides:
            self._suggest = False  # the one with more history stays, unless the user swaps
            if sum(sides[self.merged_id].counts.values()) > sum(sides[self.kept_id].counts.values()):
                self.kept_id, self.merged_id = self.merged_id, self.kept_id
        self.show_sides()
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.problem.setText(error_text(exc))
        self.problem.show()

    # --- showing ---------------------------------------------------------------------------------
    def swap(self) -> None:
        """The duplicate stays and the other goes."""
        if self.merged_id is None:
            return
        self.kept_id, self.merged_id = self.merged_id, self.kept_id
        self.problem.hide()
        self.show_sides()

    def show_sides(self) -> None:
        kept = self.sides.get(self.kept_id)
        gone = self.sides.get(self.merged_id) if self.merged_id is not None else None
        self.headings[0].setText(_("Stays"))
        self.headings[1].setText(_("Goes (archived)"))
        self.swap_button.setEnabled(gone is not None)
        for key, (left, right) in self.cells.items():
            mine = _shown(kept, key)
            theirs = _shown(gone, key)
            fills = key in FILLED and kept is not None and gone is not None and not kept.values.get(key) \
                and bool(gone.values.get(key))
            left.setText(_("%(value)s (from the duplicate)") % {"value": theirs} if fills else mine)
            left.setStyleSheet(FILL_STYLE if fills else "")
            right.setText(theirs)
        self.statement.setText(self._statement(kept, gone))
        self.merge_button.setEnabled(self._problem(kept, gone) is None)
        self.resize(self.size().expandedTo(self.sizeHint()))

    def _problem(self, kept: MergeSide | None, gone: MergeSide | None) -> str | None:
        if kept is None or gone is None:
            return _("Choose the duplicate to merge.")
        if kept.id == gone.id:
            return _("Choose two different customers.")
        if kept.merged_into is not None or gone.merged_into is not None:
            name = (kept if kept.merged_into is not None else gone).values["name"]
            return _("%(name)s was merged into another customer already.") % {"name": name}
        return None

    def _statement(self, kept: MergeSide | None, gone: MergeSide | None) -> str:
        problem = self._problem(kept, gone)
        if problem is not None or kept is None or gone is None:
            return problem or ""
        names = {"kept": kept.values["name"], "gone": gone.values["name"]}
        text = _("%(kept)s stays. Every contact, activity, opportunity, service case and order of %(gone)s moves "
                 "to it, so nothing of either is lost. %(gone)s is then archived and marked as merged.") % names
        filled = [_(label) for key, label in FIELDS if key in FILLED and not kept.values.get(key)
                  and gone.values.get(key)]
        if filled:
            text += "\n" + _("What %(kept)s lacks is taken from %(gone)s: %(fields)s.") % {
                **names, "fields": ", ".join(filled)}
        return text + "\n" + _("Tags, custom fields and notes of both are kept; where both have a value, "
                              "%(kept)s's stays.") % names

    # --- merging ---------------------------------------------------------------------------------
    def confirm(self) -> None:
        """Run the merge through the writer; a refusal (not the user's customer…) shows here."""
        kept, gone = self.sides.get(self.kept_id), self.sides.get(self.merged_id) if self.merged_id else None
        if self._problem(kept, gone) is not None:
            return
        self.problem.hide()
        self.merge_button.setEnabled(False)
        kept_id = str(self.kept_id)
        self.ctx.session.mutate("crm.customer.merge", {"id": kept_id, "merged_id": str(self.merged_id)}).success(
            lambda _changes: self._done(kept_id)).failure(self._refused).run()

    def _done(self, kept_id: str) -> None:
        self.merged.emit(kept_id)
        self.accept()
        self.ctx.act("open_customer", kept_id)

    def _refused(self, exc: BaseException) -> None:
        self.merge_button.setEnabled(True)
        self.problem.setText(error_text(exc))
        self.problem.show()


def _shown(side: MergeSide | None, key: str) -> str:
    if side is None:
        return ""
    if key in side.counts:
        return str(side.counts[key])
    return side.values.get(key) or "—"


class DuplicatesHint(QLabel):
    """"Possible duplicates: X (same phone)…" under a customer's header; a click on one opens
    the merge dialog with this customer staying. The search scans every customer, so it runs once
    the customer stayed on screen a moment, once per customer until a customer changes."""

    DELAY_MS = 400

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.party_id: uuid.UUID | None = None
        self.found: list[tuple[uuid.UUID, str, str]] = []
        self._looked: uuid.UUID | None = None
        self._generation = 0
        self._delay = QTimer(self, singleShot=True, interval=self.DELAY_MS)
        self._delay.timeout.connect(self._search)
        self.setObjectName("possible_duplicates")
        self.setStyleSheet(NOTE_STYLE)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.linkActivated.connect(self.open_merge)
        ctx.ops.changed.connect(self._on_changed)
        self.hide()

    def look(self, party_id: uuid.UUID | None) -> None:
        """Show the possible duplicates of this customer (None: show nothing)."""
        if party_id is not None and party_id == self.party_id and (party_id == self._looked or
                                                                     self._delay.isActive()):
            return  # shown (or about to be) and no customer changed since
        self._generation += 1
        if party_id != self.party_id:
            self.found = []
            self.hide()
        self.party_id = party_id
        self._delay.stop()
        if party_id is not None:
            self._delay.start()

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("party"):
            self._looked = None  # a merge, a new phone…: look again on the next reload

    def _search(self) -> None:
        party_id, generation, db = self.party_id, self._generation, self.ctx.session.client.db
        if party_id is None:
            return

        def read() -> list[tuple[uuid.UUID, str, str]]:
            with reading(db) as conn:
                row = conn.execute(sa.select(party.c.name, party.c.phone, party.c.phone2, party.c.email)
                                   .where(party.c.id == party_id)).first()
                if row is None:
                    return []
                found = find_duplicates(conn, name=row.name, phone=row.phone or row.phone2, email=row.email,
                                        exclude=party_id, limit=5, kinds=("customer",))
            return [(d.id, d.name, d.reason) for d in found]

        self._looked = party_id
        self.ctx.ops.read(read).success(lambda found: self._show(generation, found)).run()

    def _show(self, generation: int, found: list[tuple[uuid.UUID, str, str]]) -> None:
        if generation != self._generation:
            return
        self.found = found
        if not found:
            self.hide()
            return
        why = {"phone": _("same phone"), "email": _("same e-mail"), "name": _("similar name")}
        links = ", ".join(_("%(link)s (%(why)s)") % {"link": f'<a href="{i}">{html.escape(name)}</a>',
                                                      "why": why[reason]} for i, name, reason in found)
        self.setText(_("Possible duplicates: %(links)s. Click one to compare and merge it into this customer.")
                     % {"links": links})
        self.show()

    def open_merge(self, other_id: str) -> MergeDialog | None:
        """The merge dialog: this customer stays, `other_id` goes."""
        if self.party_id is None:
            return None
        dialog = MergeDialog(self.ctx, self.party_id, other_id, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

