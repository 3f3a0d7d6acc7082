"""The Products page's detail pane: one product's key fields, its stock per location and its stock
card (the newest moves with the running balance). Filled from a ProductDetail read on the pool."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _, ngettext
from app.ui.erp import product_reads as reads
from app.ui.erp.product_model import RowsModel, card_model, card_rows, level_rows, levels_model, price

NOTE_STYLE = "color: #4b5563;"
NEGATIVE_STYLE = "color: #b3261e; font-weight: bold;"
DASH = "—"
#: locations shown before the stock-per-location table scrolls
LEVEL_ROWS = 6


def _qty(value: Decimal | None, uom: str = "") -> str:
    return DASH if value is None else f"{fmt.number(value)} {uom}".strip()


def _table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    rows = view.verticalHeader()
    rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
    rows.setSectionResizeMode(rows.ResizeMode.Fixed)  # fixed heights: 500 rows paint at once
    rows.hide()
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _bold(text: str = "") -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


@dataclass(frozen=True)
class Shown:
    """A product's detail with its tables' cells formatted (on the read pool)."""

    detail: reads.ProductDetail
    levels: tuple[list[list[str]], list[bool]]
    card: tuple[list[list[str]], list[bool]]


def prepare(detail: reads.ProductDetail | None) -> Shown | None:
    """Format what the pane shows; runs on the read pool with the read."""
    return None if detail is None else Shown(detail, level_rows(detail.levels), card_rows(detail.card))


class ProductDetailPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: reads.ProductDetail | None = None
        self.heading = _bold()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.empty = QLabel(_("Select a product to see its stock and moves."))
        self.empty.setStyleSheet(NOTE_STYLE)
        self.fields: dict[str, QLabel] = {}
        left, right = QFormLayout(), QFormLayout()
        for form, names in ((left, (("kind", _("Kind")), ("units", _("Units")), ("barcodes", _("Barcodes")),
                                    ("list_price", _("List price")), ("standard_cost", _("Standard cost")),
                                    ("avg_cost", _("Average cost")), ("supplier", _("Default supplier")))),
                            (right, (("lead_time", _("Lead time")), ("order_qty", _("Minimum / multiple")),
                                     ("reorder_point", _("Reorder point")), ("safety_stock", _("Safety stock")),
                                     ("abc", _("ABC class")), ("stock", _("On hand / reserved / available"))))):
            for key, label in names:
                value = QLabel()
                value.setWordWrap(True)
                self.fields[key] = value
                form.addRow(label, value)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        self.levels = levels_model(self)
        self.levels_view = _table(self.levels)
        self.no_levels = QLabel(_("No stock in any location."))
        self.no_levels.setStyleSheet(NOTE_STYLE)
        self.card = card_model(self)
        self.card_view = _table(self.card)
        char = self.card_view.fontMetrics().averageCharWidth()
        for column, width in enumerate((14, 7, 7, 7, 18, 10)):
            self.card_view.setColumnWidth(column, width * char + 16)
        self.card_footer = QLabel()
        self.card_footer.setStyleSheet(NOTE_STYLE)
        self.card_footer.setWordWrap(True)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.heading)
        body.addLayout(grid)
        body.addWidget(_bold(_("Stock per location")))
        body.addWidget(self.levels_view)
        body.addWidget(self.no_levels)
        body.addWidget(_bold(_("Stock card")))
        body.addWidget(self.card_view, 100)
        body.addWidget(self.card_footer)
        body.addStretch(1)  # holds the pane together while the card is hidden (no moves)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.body, 1)
        self.show_detail(None)

    def show_detail(self, shown: Shown | None) -> None:
        detail = None if shown is None else shown.detail
        self.detail = detail
        self.empty.setVisible(detail is None)
        self.body.setVisible(detail is not None)
        if shown is None or detail is None:
            self.levels.set_rows([])
            self.card.set_rows([])
            return
        v = detail.values
        self.heading.setText(f"{v['sku']} · {v['name']}")
        uom = v["uom"]
        others = "; ".join(f"1 {u} = {fmt.number(f)} {uom}" for u, f in detail.units)
        codes = ", ".join(f"{c} ({u})" if u else c for c, u in detail.barcodes)
        supplier = DASH if v["default_supplier_id"] is None else (detail.supplier or _("(not in this cache)"))
        values: dict[str, str] = {
            "kind": _(reads.KINDS.get(v["kind"], v["kind"])),
            "units": uom + (f"; {others}" if others else ""),
            "barcodes": codes or DASH,
            "list_price": price(v["list_price"]) or DASH,
            "standard_cost": price(v["standard_cost"]) or DASH,
            "avg_cost": price(detail.avg_cost) or DASH,
            "supplier": supplier,
            "lead_time": ngettext("%(n)s day", "%(n)s days", v["lead_time_days"]) % {"n": v["lead_time_days"]},
            "order_qty": f"{_qty(v['min_order_qty'])} / {_qty(v['order_multiple'])}",
            "reorder_point": _qty(v["reorder_point"], uom),
            "safety_stock": _qty(v["safety_stock"], uom),
            "abc": v["abc_class"] or DASH,
            "stock": " / ".join(fmt.number(q) for q in (detail.on_hand, detail.reserved, detail.available)),
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.fields["stock"].setStyleSheet(NEGATIVE_STYLE if detail.on_hand < 0 else "")
        self.levels.set_rows(*shown.levels)
        self.levels_view.setVisible(bool(detail.levels))
        count = min(len(detail.levels), LEVEL_ROWS)  # as tall as its rows, up to LEVEL_ROWS
        view = self.levels_view
        rows = count * view.verticalHeader().defaultSectionSize()
        view.setFixedHeight(view.horizontalHeader().sizeHint().height() + rows + 2 * view.frameWidth())
        self.no_levels.setVisible(not detail.levels)
        self.card.set_rows(*shown.card)
        self.card_view.setVisible(bool(detail.card))
        self.card_footer.setText(self._footer(detail))

    @staticmethod
    def _footer(detail: reads.ProductDetail) -> str:
        n = len(detail.card)
        if not n:
            return _("No stock moves yet.")
        if detail.card_cut:
            return _("Showing the newest %(n)s moves only; the balances count every move.") % {
                "n": fmt.number(n)}
        return ngettext("%(n)s move", "%(n)s moves", n) % {"n": fmt.number(n)}

    def field_text(self, key: str) -> str:
        return self.fields[key].text()

    def card_cells(self) -> list[list[str]]:
        return [list(row) for row in self.card.cells]

    def level_cells(self) -> list[list[Any]]:
        return [list(row) for row in self.levels.cells]
