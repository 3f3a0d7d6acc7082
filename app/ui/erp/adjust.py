"""Correct stock in one bin, scanner first: scan the bin, scan the product, type what is there —
a plain number is the quantity found ("7"), a signed one the difference ("+3", "-2") — and the
screen spells out the correction before F9 posts it (erp.stock.move, kind "adjustment", between
the bin and the adjustment location). A reason is required: damaged, found, expired or other,
with an optional note (required for "other"). Tab reaches the reason; focus then returns to the
scan field after every action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app.core.i18n import N_, _
from app.core.ids import new_id
from app.erp.stock_reads import on_hand
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.receipt_draft import qty_text
from app.ui.erp.scan import ScanInput, big_font
from app.ui.erp.scan_page import INFO_POINTS, big_button, hint_label, info_label, on_f9, title_label
from app.ui.erp.scan_resolve import Scanned, ScannedLocation, ScannedProduct, adjustment_location
from app.ui.ops import Changes

#: reason key (stored on the move) → its label on the screen
REASONS = {"damaged": N_("Damaged"), "found": N_("Found (extra stock)"),
           "expired": N_("Expired"), "other": N_("Other")}


@dataclass(frozen=True)
class Counted:
    """What the clerk typed: the quantity found, or the difference (signed)."""

    value: Decimal
    difference: bool

    def change(self, have: Decimal) -> Decimal:
        return self.value if self.difference else self.value - have


def counted(qty: Decimal, text: str) -> Counted:
    """A typed "+3" / "-2" is a difference; "7" the quantity found."""
    return Counted(qty, difference=text.lstrip()[:1] in ("+", "-", "＋", "－"))


class AdjustPage(QWidget):
    """One stock correction at a time; `bin`, `item`, `have`, `typed` are what the screen holds."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ready = False
        self.posting = False
        self.posted = 0
        self.virtual: ScannedLocation | None = None
        self.bin: ScannedLocation | None = None
        self.item: ScannedProduct | None = None
        #: on hand of the product in the bin (None: not read yet)
        self.have: Decimal | None = None
        self.typed: Counted | None = None
        self._held: list[Callable[[], None]] = []
        self.title = title_label(_("Adjust stock"))
        self.hint = hint_label(_("Scan the bin, then the product. Type the quantity found (7) or the difference "
                                 "with its sign (+3, -2), then Enter. Tab to the reason; F9 posts, Esc clears."))
        self.scan = ScanInput(ctx)
        self.bin_info = info_label()
        self.item_info = info_label()
        self.change_info = info_label()
        big_font(self.change_info, INFO_POINTS + 2, bold=True)
        self.reason = QComboBox()
        self.reason.addItem(_("Choose a reason…"), None)
        for key, label in REASONS.items():
            self.reason.addItem(_(label), key)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note (required for Other)"))
        for widget in (self.reason, self.note):
            big_font(widget, INFO_POINTS)
        self.post = big_button(_("Post adjustment (F9)"))
        self.clear = big_button(_("Clear"))
        self._build()
        self.post.clicked.connect(self.post_adjustment)
        self.clear.clicked.connect(lambda: self._reset(_("Cleared: scan the bin.")))
        self.note.returnPressed.connect(self.scan.focus)
        self.scan.scanned.connect(lambda found: self._when_ready(lambda: self._scanned(found)))
        self.scan.quantity_entered.connect(lambda qty, text: self._when_ready(lambda: self._typed(qty, text)))
        self.scan.escaped.connect(self._escape)
        on_f9(self, self.post_adjustment)
        self._load_virtual()
        self._refresh()

    def _build(self) -> None:
        form = QFormLayout()
        reason_label, note_label = info_label(), info_label()
        reason_label.setText(_("Reason"))
        note_label.setText(_("Note"))
        form.addRow(reason_label, self.reason)
        form.addRow(note_label, self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.post)
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.hint, self.scan, self.bin_info, self.item_info, self.change_info):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.scan.field, self.reason)
        QWidget.setTabOrder(self.reason, self.note)
        QWidget.setTabOrder(self.note, self.post)
        QWidget.setTabOrder(self.post, self.clear)
        self.setFocusProxy(self.scan)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.scan.focus()

    # --- reads ----------------------------------------------------------------------------------
    def _when_ready(self, work: Callable[[], None]) -> None:
        if self.ready:
            work()
        else:
            self._held.append(work)

    def _release(self) -> None:
        self.ready = True
        held, self._held = self._held, []
        for work in held:
            work()

    def _read(self, fn: Callable[[Any], Any], then: Callable[[Any], None]) -> None:
        """Read from the cache; scans arriving meanwhile wait for the result."""
        db = self.ctx.session.client.db

        def read() -> Any:
            with reading(db) as conn:
                return fn(conn)

        def done(result: Any) -> None:
            then(result)
            self._refresh()
            self._release()

        def failed(exc: BaseException) -> None:
            self.scan.refuse_error(exc)
            self._release()

        self.ready = False
        self.ctx.ops.read(read).success(done).failure(failed).run()

    def _load_virtual(self) -> None:
        def found(place: ScannedLocation | None) -> None:
            self.virtual = place
            if place is None:
                self.scan.refuse(_("There is no adjustment location: ask a manager to set one up."))

        self._read(adjustment_location, found)

    def _load_have(self) -> None:
        place, item = self.bin, self.item
        if place is None or item is None:
            return

        def found(qty: Decimal) -> None:
            if self.bin is place and self.item is item:
                self.have = qty

        self._read(lambda conn: on_hand(conn, item.id, place.id), found)

    # --- scans ----------------------------------------------------------------------------------
    def _scanned(self, found: Scanned) -> None:
        if self.posting:
            self.scan.refuse(_("Wait: the adjustment is being posted."))
        elif isinstance(found, ScannedLocation):
            if found.kind != "internal":
                self.scan.refuse(_("%(location)s is not a bin.") % {"location": found.code})
            else:
                self.bin, self.item, self.have, self.typed = found, None, None, None
                self.scan.accept(_("Bin %(location)s: scan the product.") % {"location": found.label})
        elif isinstance(found, ScannedProduct):
            if self.bin is None:
                self.scan.refuse(_("Scan the bin first."))
            elif found.kind == "service":
                self.scan.refuse(_("%(product)s is a service: it has no stock to move.") % {"product": found.name})
            else:
                self.item, self.have, self.typed = found, None, None
                self.scan.accept(_("%(product)s: type the quantity found or the difference.")
                                 % {"product": found.label})
                self._load_have()
        else:
            self.scan.refuse(_("Scan a bin or a product."))
        self._refresh()
        self.scan.focus()

    def _typed(self, qty: Decimal, text: str) -> None:
        if self.item is None or self.have is None:
            self.scan.refuse(_("Scan the bin and the product before typing a quantity."))
        elif qty != qty.quantize(Decimal("0.0001")):
            self.scan.refuse(_("Type a quantity with at most 4 decimals."))
        else:
            typed = counted(qty, text)
            if not typed.difference and qty < 0:
                self.scan.refuse(_("Type a quantity above zero (at most 4 decimals)."))
            elif typed.change(self.have) == 0:
                self.typed = None
                self.scan.refuse(_("Nothing to adjust: the bin holds %(qty)s.") % {"qty": qty_text(self.have)})
            else:
                self.typed = typed
                self.scan.accept(self._change_text())
        self._refresh()
        self.scan.focus()

    def _change_text(self) -> str:
        assert self.have is not None and self.typed is not None
        change = self.typed.change(self.have)
        signed = ("+" if change > 0 else "−") + qty_text(abs(change))
        return _("On hand %(have)s → %(after)s: adjustment %(change)s") % {
            "have": qty_text(self.have), "after": qty_text(self.have + change), "change": signed}

    # --- posting --------------------------------------------------------------------------------
    def reason_text(self) -> str | None:
        """The reason stored on the move ("damaged", "other: ..."), or None when it is missing."""
        key = self.reason.currentData()
        note = self.note.text().strip()
        if key is None or (key == "other" and not note):
            return None
        return f"{key}: {note}" if note else str(key)

    def post_adjustment(self) -> None:
        """F9: post the correction shown."""
        self.scan.focus()
        if self.posting or not self.ready:
            return
        if self.bin is None or self.item is None or self.have is None or self.typed is None:
            self.scan.refuse(_("Scan the bin and the product and type the quantity first."))
            return
        if self.virtual is None:
            self.scan.refuse(_("There is no adjustment location: ask a manager to set one up."))
            return
        reason = self.reason_text()
        if reason is None:
            self.scan.refuse(_("Choose a reason (and write a note for Other), then F9."))
            return
        change = self.typed.change(self.have)
        ends = (self.virtual.id, self.bin.id) if change > 0 else (self.bin.id, self.virtual.id)
        args = {"id": str(new_id()), "product_id": str(self.item.id), "qty": str(abs(change)),
                "from_location_id": str(ends[0]), "to_location_id": str(ends[1]), "kind": "adjustment",
                "reason": reason, "moved_at": dt.datetime.now(dt.UTC).isoformat()}
        summary = _("Posted: %(product)s in %(location)s, %(change)s.") % {
            "product": self.item.label, "location": self.bin.code, "change": self._change_text()}
        self.posting = True

        def done(_changes: Changes) -> None:
            self.posting = False
            self.posted += 1
            self._reset(summary, keep_bin=True)

        def failed(exc: BaseException) -> None:
            self.posting = False
            self.scan.refuse_error(exc)

        self.ctx.session.mutate("erp.stock.move", args).success(done).failure(failed).run()

    def _escape(self) -> None:
        """Esc on an empty field: drop the product (and what was typed); again: the bin too."""
        if self.item is not None:
            self._reset(_("Cleared: scan the product."), keep_bin=True)
        else:
            self._reset(_("Cleared: scan the bin."))

    def _reset(self, message: str, keep_bin: bool = False) -> None:
        if not keep_bin:
            self.bin = None
        self.item, self.have, self.typed = None, None, None
        self.reason.setCurrentIndex(0)
        self.note.clear()
        self.scan.accept(message)
        self._refresh()
        self.scan.focus()

    def _refresh(self) -> None:
        self.bin_info.setText(_("Bin: %(location)s") % {"location": self.bin.label} if self.bin
                              else _("Bin: scan a bin"))
        if self.item is None:
            self.item_info.setText(_("Product: scan a product"))
        elif self.have is None:
            self.item_info.setText(_("Product: %(product)s") % {"product": self.item.label})
        else:
            self.item_info.setText(_("Product: %(product)s · on hand %(qty)s %(unit)s") % {
                "product": self.item.label, "qty": qty_text(self.have), "unit": self.item.uom})
        self.change_info.setText(self._change_text() if self.typed is not None and self.have is not None else "")

