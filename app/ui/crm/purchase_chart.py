"""The 360 view's purchase history: revenue by month as a bar chart (pyqtgraph) and the products
the customer bought most. Empty history says so plainly."""

from __future__ import annotations

from html import escape

import pyqtgraph as pg
from babel.dates import format_date
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.core import fmt
from app.core.i18n import _, current_locale
from app.crm.purchases import PurchaseHistory

BAR = "#2563eb"
MUTED = "color:#6b7280;"


class PurchaseChart(QWidget):
    """Bars per month (the last twelve) and the top products below them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("purchase_chart")
        self.plot.setMinimumHeight(150)
        self.plot.setMaximumHeight(190)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(y=True, alpha=0.15)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setTextPen("#374151")
            axis.setPen("#9ca3af")
        # one bar item, its data replaced for each customer (adding and removing items costs more)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=BAR, pen=BAR)
        self.plot.addItem(self.bars)
        self._ticks: list[tuple[int, str]] | None = None
        self.empty = QLabel(_("No orders in the last twelve months."))
        self.empty.setObjectName("purchase_empty")
        self.empty.setStyleSheet(MUTED)
        self.top = QLabel()
        self.top.setObjectName("top_products")
        self.top.setTextFormat(Qt.TextFormat.RichText)
        self.top.setWordWrap(True)
        box.addWidget(self.plot)
        box.addWidget(self.empty)
        box.addWidget(self.top)

    def show_history(self, history: PurchaseHistory) -> None:
        self.plot.setVisible(not history.empty)
        self.empty.setVisible(history.empty)
        if history.empty:
            self.top.clear()
            return
        heights = [float(amount) for _month, amount in history.months]  # drawing only: the figures stay Decimal
        self.bars.setOpts(x=list(range(len(heights))), height=heights)
        locale = current_locale()
        ticks = [(i, format_date(month, "MMM", locale=locale)) for i, (month, _amount) in enumerate(history.months)]
        if ticks != self._ticks:  # the same twelve months for every customer: set once
            self._ticks = ticks
            self.plot.getAxis("bottom").setTicks([ticks[::2], ticks[1::2]])
            self.plot.setXRange(-0.6, len(heights) - 0.4, padding=0)
        self.plot.setYRange(0, max(heights) * 1.1 or 1, padding=0)
        self.bars.setToolTip("\n".join(f"{format_date(m, 'yyyy MMM', locale=locale)}: {fmt.money(a)}"
                                       for m, a in history.months if a))
        rows = [f"<tr><td>{escape(p.name)} <span style='{MUTED}'>{escape(p.sku)}</span></td>"
                f"<td align='right'>{escape(fmt.number(p.qty))} {escape(p.uom)}</td>"
                f"<td align='right'>{escape(fmt.money(p.amount))}</td></tr>" for p in history.top_products]
        self.top.setText(f"<b>{escape(_('Top products'))}</b>"
                         "<table width='100%' cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>")
