"""The Products page, for every role: reps check prices and stock, clerks and planners keep the
catalogue. The list is searched in SQL as the user types (SKU, name, pinyin, initials, or a
scanned barcode + Enter), filtered to products below their reorder point or with negative stock;
the selected product's fields, stock per location and stock card show beside it. A loud banner
names negative stock: allowed offline, flagged, never silently fixed."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _, ngettext
from app.erp import stock_reads
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp import product_reads as reads
from app.ui.erp.product_detail import ProductDetailPane, Shown, prepare
from app.ui.erp.product_dialog import CATALOG_ROLES, ProductDialog
from app.ui.erp.product_import import export_product_file, open_product_import
from app.ui.erp.product_model import STOCK_TABLES, ProductsTableModel
from app.ui.models import configure_view
from app.ui.ops import Changes

#: milliseconds of quiet typing before the list is filtered (Enter filters at once)
DEBOUNCE_MS = 200
BANNER_STYLE = ("QFrame#negative_banner { background: #b3261e; border-radius: 4px; }"
                " QFrame#negative_banner QLabel { color: white; font-weight: bold; }")
NOTE_STYLE = "color: #4b5563;"
#: negative levels named in the banner before "and N more"
BANNER_NAMES = 3


class ProductsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.negatives: list[stock_reads.NegativeLevel] = []
        self._detail_request = 0
        self._select_when_listed: str | None = None
        title = QLabel(_("Products"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.banner = QFrame()
        self.banner.setObjectName("negative_banner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.show_negative = QPushButton(_("Show them"))
        self.show_negative.clicked.connect(lambda: self.choose_filter("negative"))
        row = QHBoxLayout(self.banner)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.show_negative)
        self.banner.hide()

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search or scan: SKU, name, pinyin, initials or barcode"))
        self.search.setClearButtonEnabled(True)
        big = self.search.font()
        big.setPointSizeF(big.pointSizeF() * 1.2)
        self.search.setFont(big)
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self._entered)
        self.search.installEventFilter(self)
        self.filter_picker = QComboBox()
        for key, label in reads.FILTERS.items():
            self.filter_picker.addItem(_(label), key)
        self.filter_picker.activated.connect(lambda _i: self.apply_filter())
        self.count = QLabel()
        self.new_button = QPushButton(_("New product…"))
        self.new_button.clicked.connect(self.new_product)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(self.edit_product)
        self.import_button = QPushButton(_("Import products…"))
        self.import_button.clicked.connect(lambda: open_product_import(self.ctx, self))
        self.export_button = QPushButton(_("Export products…"))
        self.export_button.clicked.connect(lambda: export_product_file(self.ctx, self))
        may_edit = ctx.session.identity.role in CATALOG_ROLES
        for button in (self.new_button, self.edit_button, self.import_button, self.export_button):
            button.setVisible(may_edit)
        tools = QHBoxLayout()
        tools.addWidget(self.search, 3)
        tools.addWidget(self.filter_picker, 1)
        tools.addWidget(self.count)
        tools.addStretch(1)
        tools.addWidget(self.new_button)
        tools.addWidget(self.edit_button)
        tools.addWidget(self.import_button)
        tools.addWidget(self.export_button)

        self.model = ProductsTableModel(ctx.ops, ctx.session.client.db, self)
        self.view = QTableView()
        configure_view(self.view, self.model)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._selection_changed())
        self.view.doubleClicked.connect(lambda _i: self.edit_product() if may_edit else None)
        self.model.ids_loaded.connect(self._ids_loaded)
        self.view.installEventFilter(self)
        self.empty = QLabel()
        self.empty.setStyleSheet(NOTE_STYLE)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        listing = QWidget()
        column = QVBoxLayout(listing)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.empty, 1)
        self.detail = ProductDetailPane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(listing)
        self.splitter.addWidget(self.detail)
        self._sized = False

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply_filter)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(tools)
        layout.addWidget(self.splitter, 1)
        ctx.ops.changed.connect(self._on_changed)
        self.setFocusProxy(self.search)
        self._update_actions()
        self.model.reload()
        self.load_negatives()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.search.setFocus()  # a scan goes to the search box without a click
        if not self._sized:  # the list as wide as its columns (at most 60%), the detail the rest
            self._sized = True
            total = self.splitter.width()
            columns = sum(self.view.columnWidth(c) for c in range(self.model.columnCount())) + 24
            listed = min(columns, int(total * 0.6))
            self.splitter.setSizes([listed, max(total - listed, 1)])

    # --- list -----------------------------------------------------------------------------------
    def apply_filter(self) -> None:
        self.debounce.stop()
        self.model.set_search(self.search.text(), self.filter_picker.currentData())

    def _typed(self, _text: str) -> None:
        self.debounce.start()

    def choose_filter(self, key: str) -> None:
        self.filter_picker.setCurrentIndex(max(self.filter_picker.findData(key), 0))
        self.apply_filter()

    def _entered(self) -> None:
        """Enter (a scanner ends with it): filter now, then show the first product found; the
        text stays selected, so the next scan replaces it."""
        self._select_when_listed = "first"
        self.apply_filter()
        self.search.selectAll()

    def show_product(self, product_id: uuid.UUID | str) -> None:
        """Select one product (from a search hit elsewhere): the whole list, that row."""
        self.search.clear()
        self.filter_picker.setCurrentIndex(0)
        self._select_when_listed = str(product_id)
        self.apply_filter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down from the search box goes to the list; Enter there edits the product (for those
        who may), Escape goes back to the search box."""
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if watched is self.search and event.key() == Qt.Key.Key_Down and self.model.rowCount():
                self.view.setFocus()
                if not self.view.selectionModel().hasSelection():
                    self.view.selectRow(0)
                return True
            if watched is self.view and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.edit_button.isVisible():
                    self.edit_product()
                return True
            if watched is self.view and event.key() == Qt.Key.Key_Escape:
                self.search.setFocus()
                self.search.selectAll()
                return True
        return super().eventFilter(watched, event)

    def _ids_loaded(self) -> None:
        n = self.model.rowCount()
        self.count.setText(ngettext("%(n)s product", "%(n)s products", n) % {"n": fmt.number(n)})
        self.view.setVisible(n > 0)
        self.empty.setVisible(n == 0)
        self.empty.setText(self._empty_text())
        wanted = self._select_when_listed
        row = 0 if wanted == "first" else (self.model.row_of(wanted) if wanted else None)
        if n and row is not None:
            self._select_when_listed = None
            self.view.selectRow(row)
        elif n and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        elif not n:
            self.detail.show_detail(None)
        self._selection_changed()

    def _empty_text(self) -> str:
        text, key = self.search.text().strip(), self.filter_picker.currentData()
        if text:
            return _("No product matches “%(text)s”.") % {"text": text}
        if key == "below_reorder":
            return _("No product is below its reorder point.")
        if key == "negative":
            return _("No product has negative stock.")
        return _("No products yet.")

    def selected_id(self) -> uuid.UUID | None:
        current = self.view.currentIndex()
        rows = self.view.selectionModel().selectedRows()
        if not rows or not current.isValid() or current.row() >= self.model.rowCount():
            return None
        return self.model.id_at(current.row())

    def _update_actions(self) -> None:
        self.edit_button.setEnabled(self.detail.detail is not None and self.selected_id() is not None)

    # --- detail ---------------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        product_id = self.selected_id()
        if product_id is None:
            self._update_actions()
            return
        shown = self.detail.detail
        if shown is not None and shown.values["id"] != product_id:
            self.detail.show_detail(None)
        self.load_detail(product_id)

    def load_detail(self, product_id: uuid.UUID) -> None:
        self._detail_request += 1
        number, db = self._detail_request, self.ctx.session.client.db

        def read() -> Shown | None:
            with reading(db) as conn:
                found = reads.product_detail(conn, product_id)
            return prepare(found)  # formatted here: 500 moves take long for the GUI thread

        self.ctx.ops.read(read).success(lambda found: self._detail_arrived(number, found)).run()

    def _detail_arrived(self, number: int, found: Shown | None) -> None:
        if number == self._detail_request:
            self.detail.show_detail(found)
            self._update_actions()

    # --- negative stock -------------------------------------------------------------------------
    def load_negatives(self) -> None:
        db = self.ctx.session.client.db

        def read() -> list[stock_reads.NegativeLevel]:
            with reading(db) as conn:
                return stock_reads.negative_levels(conn)

        self.ctx.ops.read(read).success(self._negatives_arrived).run()

    def _negatives_arrived(self, found: list[stock_reads.NegativeLevel]) -> None:
        self.negatives = found
        self.banner.setVisible(bool(found))
        if not found:
            return
        named = "; ".join(f"{n.sku} {n.product} @ {n.location}: {fmt.number(n.qty)}" for n in found[:BANNER_NAMES])
        more = len(found) - BANNER_NAMES
        if more > 0:
            named += " " + _("and %(n)s more") % {"n": fmt.number(more)}
        self.banner_text.setText(
            ngettext("Negative stock in %(n)s place: %(which)s. Allowed offline, never corrected by itself: "
                     "count or adjust it.",
                     "Negative stock in %(n)s places: %(which)s. Allowed offline, never corrected by itself: "
                     "count or adjust it.", len(found)) % {"n": fmt.number(len(found)), "which": named})

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(*STOCK_TABLES, "product"):
            self.load_negatives()
            product_id = self.selected_id()
            if product_id is not None:
                self.load_detail(product_id)

    # --- dialog ---------------------------------------------------------------------------------
    def new_product(self) -> ProductDialog:
        dialog = ProductDialog(self.ctx, None, self)
        dialog.saved.connect(lambda _c: self._saved(dialog.product_id))
        dialog.open()
        return dialog

    def edit_product(self) -> ProductDialog | None:
        shown = self.detail.detail
        if shown is None or shown.values["id"] != self.selected_id():
            return None
        dialog = ProductDialog(self.ctx, shown, self)
        dialog.saved.connect(lambda _c: self._saved(dialog.product_id))
        dialog.open()
        return dialog

    def _saved(self, product_id: str) -> None:
        row = self.model.row_of(product_id)
        if row is not None:
            self.view.selectRow(row)
        else:
            self._select_when_listed = product_id
