"""New / Edit product: the catalogue fields, other units and barcodes in one form.

OK checks every mutation it will queue first (erp.product.create or .update, then unit.set and
barcode.add / remove for what changed), so a wrong field is shown under that field before
anything is written; then queues them in order. An edit sends only the fields changed, each as
{"base": shown, "new": typed}. Categories and suppliers are read on the read pool."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from app.core import fmt
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.sync import outbox
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm
from app.ui.erp import product_reads as reads
from app.ui.erp.product_codes import BarcodesEditor, Mutation, UnitsEditor, barcode_mutations, unit_mutations
from app.ui.ops import Changes

#: the roles that may create and change products (the server's catalogue permission)
CATALOG_ROLES = frozenset({"admin", "manager", "clerk", "planner"})
#: number fields: name → label; empty means "not set"
NUMBERS = {"list_price": N_("List price"), "standard_cost": N_("Standard cost"),
           "min_order_qty": N_("Minimum order qty"), "order_multiple": N_("Order multiple"),
           "reorder_point": N_("Reorder point"), "safety_stock": N_("Safety stock")}
_NONE = ""


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def _same(new: Any, old: Any) -> bool:
    """Whether a typed value is the one shown (2.5 is 2.5000; an id as text is the id)."""
    if isinstance(new, Decimal) and isinstance(old, Decimal):
        return new == old
    return _json(new) == _json(old)


class ProductDialog(MutationForm):
    """A new product (`detail` None) or the one `detail` shows."""

    def __init__(self, ctx: AppContext, detail: reads.ProductDetail | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Edit product") if detail else _("New product"), parent)
        self.setMinimumWidth(560)
        self.detail = detail
        self.product_id = str(detail.values["id"]) if detail else str(new_id())
        self.choices: reads.Choices | None = None
        self._queue: list[Mutation] = []
        self._done = Changes()
        self.sku = self.add_field("sku", _("SKU"), QLineEdit())
        self.name = self.add_field("name", _("Name"), QLineEdit())
        self.kind = self.add_field("kind", _("Kind"), QComboBox())
        for key, label in reads.KINDS.items():
            self.kind.addItem(_(label), key)
        self.uom = self.add_field("uom", _("Stock unit"), QLineEdit("pcs"))
        self.category = self.add_field("category_id", _("Category"), QComboBox())
        self.supplier = self.add_field("default_supplier_id", _("Default supplier"), QComboBox())
        self.numbers: dict[str, QLineEdit] = {}
        for key in ("list_price", "standard_cost"):
            self.numbers[key] = self.add_field(key, _(NUMBERS[key]), QLineEdit())
        self.lead_time = self.add_field("lead_time_days", _("Lead time (days)"), QSpinBox())
        self.lead_time.setRange(0, 3650)
        for key in ("min_order_qty", "order_multiple", "reorder_point", "safety_stock"):
            self.numbers[key] = self.add_field(key, _(NUMBERS[key]), QLineEdit())
        self.abc = self.add_field("abc_class", _("ABC class"), QComboBox())
        for code in (_NONE, "A", "B", "C"):
            self.abc.addItem(code or "—", code)
        self.notes = self.add_field("notes", _("Notes"), QPlainTextEdit())
        self.notes.setFixedHeight(self.notes.fontMetrics().height() * 3 + 12)
        self.units = self.add_field("units", _("Other units"), UnitsEditor())
        self.barcodes = self.add_field("barcodes", _("Barcodes"), BarcodesEditor())
        self._fill()
        self._load_choices()

    # --- filling ----------------------------------------------------------------------------------
    def _fill(self) -> None:
        self._choices_arrived(reads.Choices([], []), first=True)
        if self.detail is None:
            return
        v = self.detail.values
        self.sku.setText(v["sku"])
        self.sku.setReadOnly(True)  # the SKU names the product on every document: it never changes
        self.name.setText(v["name"])
        self.kind.setCurrentIndex(max(self.kind.findData(v["kind"]), 0))
        self.uom.setText(v["uom"])
        for key, edit in self.numbers.items():
            edit.setText("" if v[key] is None else fmt.number(v[key]))
        self.lead_time.setValue(v["lead_time_days"] or 0)
        self.abc.setCurrentIndex(max(self.abc.findData(v["abc_class"] or _NONE), 0))
        self.notes.setPlainText(v["notes"] or "")
        self.units.set_units(self.detail.units)
        self.barcodes.set_barcodes(self.detail.barcodes)

    def _load_choices(self) -> None:
        db = self.ctx.session.client.db

        def read() -> reads.Choices:
            with reading(db) as conn:
                return reads.choices(conn)

        self.ctx.ops.read(read).success(self._choices_arrived).run()

    def _choices_arrived(self, found: reads.Choices, first: bool = False) -> None:
        v = self.detail.values if self.detail else {}
        for combo, items, key, known in (
                (self.category, found.categories, "category_id", self.detail and self.detail.category),
                (self.supplier, found.suppliers, "default_supplier_id", self.detail and self.detail.supplier)):
            current = combo.currentData() if not first else (str(v[key]) if v.get(key) else None)
            combo.clear()
            combo.addItem(_("(none)"), None)
            for row_id, name in items:
                combo.addItem(name, str(row_id))
            if current is not None and combo.findData(current) < 0:  # not in this cache: kept as is
                combo.addItem(str(known or _("(not in this cache)")), current)
            combo.setCurrentIndex(max(combo.findData(current), 0) if current is not None else 0)
        if not first:
            self.choices = found

    # --- values -----------------------------------------------------------------------------------
    def _number(self, key: str) -> Decimal | None:
        text = self.numbers[key].text().strip()
        if not text:
            return None
        try:
            return fmt.parse_number(text)
        except ValueError:
            self.show_error(key, _("This value is not valid."))
            raise

    def values(self) -> dict[str, Any] | None:
        """The product's fields as typed; None (errors shown) when a number does not read."""
        found: dict[str, Any] = {
            "name": self.name.text().strip(), "kind": self.kind.currentData(), "uom": self.uom.text().strip(),
            "category_id": self.category.currentData(), "default_supplier_id": self.supplier.currentData(),
            "lead_time_days": self.lead_time.value(), "abc_class": self.abc.currentData() or None,
            "notes": self.notes.toPlainText().strip() or None,
        }
        bad = False
        for key in self.numbers:
            try:
                found[key] = self._number(key)
            except ValueError:
                bad = True
        return None if bad else found

    def mutations(self) -> list[Mutation] | None:
        """Every mutation OK queues, in order; None when a field is wrong (the form shows which)."""
        values = self.values()
        units = self.units.units()
        if units is None:
            self.show_error("units", _("Give each unit a name and the number of stock units it holds."))
        if values is None or units is None:
            return None
        if self.detail is None:
            first = ("erp.product.create", {"id": self.product_id, "sku": self.sku.text().strip(),
                                             **{k: _json(v) for k, v in values.items()}})
            found = [first]
            before_units: dict[str, Decimal] = {}
            before_codes: dict[str, str | None] = {}
        else:
            shown = self.detail.values
            patch = {k: {"base": _json(shown[k]), "new": _json(v)} for k, v in values.items()
                     if not _same(v, shown[k])}
            found = [("erp.product.update", {"id": self.product_id, **patch})] if patch else []
            before_units, before_codes = dict(self.detail.units), dict(self.detail.barcodes)
        found += unit_mutations(self.product_id, before_units, units)
        found += barcode_mutations(self.product_id, before_codes, self.barcodes.barcodes())
        return found

    def _checked(self, wanted: list[Mutation]) -> bool:
        """Validate every mutation's arguments before any is queued; errors under their field."""
        for name, args in wanted:
            try:
                outbox.validate(name, args)
            except ValidationError as exc:
                first = exc.errors()[0] if exc.errors() else None
                field = str(first["loc"][0]) if first and first["loc"] else None
                if name.startswith("erp.product.unit"):
                    field = "units"
                elif name.startswith("erp.product.barcode"):
                    field = "barcodes"
                self.show_error(field, _("This value is not valid."))
                return False
        return True

    # --- OK ---------------------------------------------------------------------------------------
    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        wanted = self.mutations()
        return wanted[0] if wanted else None

    def submit(self) -> None:
        self.clear_errors()
        wanted = self.mutations()
        if wanted is None or not self._checked(wanted):
            return
        if not wanted:
            self.accept()  # nothing changed
            return
        self.ok_button.setEnabled(False)
        db, product_id = self.ctx.session.client.db, uuid.UUID(self.product_id)
        sku = self.sku.text().strip() if self.detail is None else None
        codes = [args["barcode"] for name, args in wanted if name == "erp.product.barcode.add"]

        def read() -> reads.Clashes:
            with reading(db) as conn:
                return reads.clashes(conn, product_id, sku, codes)

        self.ctx.ops.read(read).success(lambda found: self._send(wanted, found)).failure(self._failed).run()

    def _send(self, wanted: list[Mutation], found: reads.Clashes) -> None:
        """Queue the mutations, unless the SKU or a barcode belongs to another product."""
        if found.sku is not None:
            self.show_error("sku", _("Another product has this SKU: %(product)s.") % {"product": found.sku})
        if found.barcodes:
            self.show_error("barcodes", "\n".join(
                _("Barcode %(barcode)s belongs to %(product)s already.") % {"barcode": code, "product": name}
                for code, name in sorted(found.barcodes.items())))
        if found.sku is not None or found.barcodes:
            self.ok_button.setEnabled(True)
            return
        self._queue, self._done = list(wanted), Changes()
        self._next()

    def _next(self, changes: Changes | None = None) -> None:
        if changes is not None:
            for table, ids in changes.rows.items():
                self._done.rows.setdefault(table, set()).update(ids)
            self._done.local = True
        if not self._queue:
            self._saved(self._done)
            return
        name, args = self._queue.pop(0)
        self.ctx.session.mutate(name, args).success(self._next).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._queue.clear()  # each write done so far already told the views (Ops.write)
        self._refused(exc)
