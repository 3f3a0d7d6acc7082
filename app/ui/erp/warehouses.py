"""Warehouses and their bins: where stock lives. A manager adds a warehouse (a factory, a
distribution centre, a shop); managers, clerks and planners add bins and rename them. Each bin shows
how many products it holds and their total quantity, from the level projection."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.core.schema import location, stock_level, total, warehouse
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import MutationForm
from app.ui.errors import error_text
from app.ui.ops import Changes

KINDS = {"factory": N_("Factory"), "distribution": N_("Distribution centre"), "shop": N_("Shop"),
         "other": N_("Other")}
#: roles that may add a warehouse (server/permissions: erp.warehouse.create) and add or rename bins
MANAGING = frozenset({"admin", "manager"})
CATALOG = frozenset({"admin", "manager", "clerk", "planner"})


@dataclass(frozen=True)
class Bin:
    id: uuid.UUID
    code: str
    name: str
    products: int
    qty: Decimal


@dataclass(frozen=True)
class House:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    address: str | None
    bins: list[Bin]


def read_warehouses(conn: sa.Connection) -> list[House]:
    """Every live warehouse with its bins and what they hold, by code."""
    held = (sa.select(stock_level.c.location_id, sa.func.count().label("products"))
            .where(stock_level.c.qty != 0).group_by(stock_level.c.location_id).subquery())
    bins: dict[uuid.UUID, list[Bin]] = {}
    rows = conn.execute(
        sa.select(location.c.id, location.c.code, location.c.name, location.c.warehouse_id,
                  sa.func.coalesce(held.c.products, 0))
        .outerjoin(held, held.c.location_id == location.c.id)
        .where(location.c.kind == "internal", location.c.archived.is_(False)).order_by(location.c.code))
    levels = _on_hand_by_bin(conn)
    for row_id, code, name, house, products in rows:
        bins.setdefault(house, []).append(Bin(row_id, code, name, int(products), levels.get(row_id, Decimal(0))))
    houses = conn.execute(sa.select(warehouse).where(warehouse.c.archived.is_(False)).order_by(warehouse.c.code))
    return [House(h.id, h.code, h.name, h.kind, h.address, bins.get(h.id, [])) for h in houses]


def _on_hand_by_bin(conn: sa.Connection) -> dict[uuid.UUID, Decimal]:
    """Σ on hand per bin (exact on both engines)."""
    rows = conn.execute(sa.select(stock_level.c.location_id, total(stock_level.c.qty))
                        .group_by(stock_level.c.location_id))
    return {r[0]: Decimal(r[1]) for r in rows}


class WarehouseDialog(MutationForm):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("New warehouse"), parent)
        self.code = self.add_field("code", _("Code"), QLineEdit())
        self.code.setMaxLength(16)
        self.name = self.add_field("name", _("Name"), QLineEdit())
        self.kind = self.add_field("kind", _("Kind"), QComboBox())
        for key, label in KINDS.items():
            self.kind.addItem(_(label), key)
        self.kind.setCurrentIndex(1)
        self.address = self.add_field("address", _("Address"), QLineEdit())

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        ok = _required(self, "code", self.code) & _required(self, "name", self.name)
        if not ok:
            return None
        return "erp.warehouse.create", {"id": str(new_id()), "code": self.code.text().strip(),
                                        "name": self.name.text().strip(), "kind": self.kind.currentData(),
                                        "address": self.address.text().strip() or None}


class BinDialog(MutationForm):
    """A new bin in a warehouse, or a new name for a bin."""

    def __init__(self, ctx: AppContext, house: House, bin_: Bin | None = None, parent: QWidget | None = None) -> None:
        title = _("Rename bin %(code)s") % {"code": bin_.code} if bin_ else _("New bin in %(warehouse)s") % {
            "warehouse": house.name}
        super().__init__(ctx, title, parent)
        self.house, self.bin = house, bin_
        self.code = self.add_field("code", _("Code"), QLineEdit(bin_.code if bin_ else f"{house.code}-"))
        self.code.setMaxLength(32)
        self.code.setReadOnly(bin_ is not None)
        self.name = self.add_field("name", _("Name"), QLineEdit(bin_.name if bin_ else ""))

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        ok = _required(self, "code", self.code) & _required(self, "name", self.name)
        if not ok:
            return None
        name = self.name.text().strip()
        if self.bin is not None:
            return "erp.location.update", {"id": str(self.bin.id), "name": {"base": self.bin.name, "new": name}}
        return "erp.location.create", {"id": str(new_id()), "code": self.code.text().strip(), "name": name,
                                       "kind": "internal", "warehouse_id": str(self.house.id)}


def _required(form: MutationForm, field: str, edit: QLineEdit) -> bool:
    if edit.text().strip():
        return True
    form.show_error(field, _("This field is required."))
    return False


class WarehousesPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.houses: list[House] = []
        self.dialogs: list[QWidget] = []
        role = ctx.session.identity.role
        title = QLabel(_("Warehouses and bins"))
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.tree = QTreeWidget()
        self.tree.setObjectName("warehouses")
        self.tree.setHeaderLabels([_("Code"), _("Name"), _("Kind"), _("Products"), _("On hand")])
        self.tree.setColumnWidth(0, 160)
        self.tree.setColumnWidth(1, 260)
        self.tree.currentItemChanged.connect(lambda *_a: self._update_buttons())
        self.empty = QLabel(_("No warehouses yet: a manager adds the first one."))
        self.empty.setStyleSheet("color: #6b7280;")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        self.new_house = QPushButton(_("New warehouse…"))
        self.new_house.setObjectName("new_warehouse")
        self.new_house.setVisible(role in MANAGING)
        self.new_house.clicked.connect(self.add_warehouse)
        self.new_bin = QPushButton(_("New bin…"))
        self.new_bin.setObjectName("new_bin")
        self.new_bin.clicked.connect(self.add_bin)
        self.rename = QPushButton(_("Rename bin…"))
        self.rename.setObjectName("rename_bin")
        self.rename.clicked.connect(self.rename_bin)
        for button in (self.new_bin, self.rename):
            button.setVisible(role in CATALOG)
        buttons = QHBoxLayout()
        buttons.addWidget(title)
        buttons.addStretch(1)
        for button in (self.new_house, self.new_bin, self.rename):
            buttons.addWidget(button)
        box = QVBoxLayout(self)
        box.addLayout(buttons)
        box.addWidget(self.problem)
        box.addWidget(self.tree, 1)
        box.addWidget(self.empty)
        ctx.ops.changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        db = self.ctx.session.client.db

        def read() -> list[House]:
            with reading(db) as conn:
                return read_warehouses(conn)

        self.ctx.ops.read(read).success(self._show).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.problem.setText(error_text(exc))
        self.problem.show()

    def _show(self, houses: list[House]) -> None:
        self.problem.hide()
        current = self.current()
        keep = (current[0].id, current[1].id if current[1] else None) if current else None
        self.houses = houses
        self.tree.clear()
        for house in houses:
            top = QTreeWidgetItem([house.code, house.name, _(KINDS.get(house.kind, house.kind)),
                                   str(sum(b.products for b in house.bins)), ""])
            top.setData(0, Qt.ItemDataRole.UserRole, (house.id, None))
            for b in house.bins:
                child = QTreeWidgetItem([b.code, b.name, "", str(b.products), fmt.number(b.qty)])
                child.setData(0, Qt.ItemDataRole.UserRole, (house.id, b.id))
                for column in (3, 4):
                    child.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                top.addChild(child)
                if keep == (house.id, b.id):
                    self.tree.setCurrentItem(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
            if keep == (house.id, None):
                self.tree.setCurrentItem(top)
        self.empty.setVisible(not houses)
        self._update_buttons()

    def current(self) -> tuple[House, Bin | None] | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        house_id, bin_id = item.data(0, Qt.ItemDataRole.UserRole)
        house = next((h for h in self.houses if h.id == house_id), None)
        if house is None:
            return None
        return house, next((b for b in house.bins if b.id == bin_id), None)

    def _update_buttons(self) -> None:
        current = self.current()
        self.new_bin.setEnabled(current is not None)
        self.rename.setEnabled(current is not None and current[1] is not None)

    def _open(self, dialog: MutationForm) -> MutationForm:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self.dialogs.remove(dialog) if dialog in self.dialogs else None)
        dialog.show()
        return dialog

    def add_warehouse(self) -> MutationForm:
        return self._open(WarehouseDialog(self.ctx, self))

    def add_bin(self) -> MutationForm | None:
        current = self.current()
        return None if current is None else self._open(BinDialog(self.ctx, current[0], None, self))

    def rename_bin(self) -> MutationForm | None:
        current = self.current()
        if current is None or current[1] is None:
            return None
        return self._open(BinDialog(self.ctx, current[0], current[1], self))

    def _on_changed(self, changes: Changes) -> None:
        if changes.everything or changes.ids("warehouse") or changes.ids("location") or changes.ids("stock_level"):
            self.reload()
