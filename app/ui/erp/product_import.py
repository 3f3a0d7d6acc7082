"""Import products from a CSV or Excel file, or export them to one.

The customer import dialog's steps (pick a file → check the column mapping → preview each row's
errors and duplicates → import, every mutation in one cache transaction) with the product columns
and plan of app.erp.product_exchange. A row whose SKU or barcode a product already has is skipped
unless the user chooses to update that product's empty fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QTableWidgetItem, QWidget

from app.core.i18n import N_, _
from app.core.sheets import Sheet, guess_mapping, read_sheet, write_sheet
from app.crm.exchange_files import Column
from app.crm.import_plan import ImportPlan, PlannedRow
from app.erp.product_exchange import COLUMNS, ProductPlan, export_products, plan_products
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.import_dialog import ImportDialog
from app.ui.errors import error_text
from app.ui.ops import Op

TITLE = N_("Import products")
_FILTER = N_("Spreadsheets (*.csv *.xlsx);;CSV (*.csv);;Excel (*.xlsx)")


class ProductImportDialog(ImportDialog):
    """The import dialog over products: its plan is a ProductPlan, which answers like an ImportPlan."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "customer", parent)  # the entity only names CRM hooks this class replaces
        self.setWindowTitle(_(TITLE))

    def _choose(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(self, _(TITLE), "", _(_FILTER))
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> Op[tuple[Sheet, tuple[Column, ...]]]:
        self.file_label.setText(path.name)
        columns = cast(tuple[Column, ...], COLUMNS)  # the same name, title and aliases
        return (self.ctx.ops.read(lambda: (read_sheet(path), columns))
                .success(lambda got: self._show_sheet(*got)).failure(self._show_error).run())

    def _show_sheet(self, sheet: Sheet, columns: tuple[Column, ...]) -> None:
        self.sheet, self.columns = sheet, columns
        guessed = guess_mapping(sheet.headers, COLUMNS)
        self.mapping.setRowCount(len(sheet.headers))
        for index, header in enumerate(sheet.headers):
            self.mapping.setItem(index, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem(_("(not imported)"), None)
            for column in columns:
                combo.addItem(column.title, column.name)
            combo.setCurrentIndex(max(combo.findData(guessed.get(index)), 0))
            combo.currentIndexChanged.connect(self.replan)
            self.mapping.setCellWidget(index, 1, combo)
        self.replan()

    def replan(self) -> Op[ImportPlan] | None:
        sheet = self.sheet
        if sheet is None:
            return None
        mapping, db = self.current_mapping(), self.ctx.session.client.db

        def plan() -> ImportPlan:
            with reading(db) as conn:
                return cast(ImportPlan, plan_products(conn, sheet, mapping))

        self.import_button.setEnabled(False)
        return self.ctx.ops.read(plan).success(self._show_plan).failure(self._show_error).run()

    def _decision(self, row: PlannedRow) -> QComboBox:
        combo = QComboBox()
        combo.addItem(_("Skip"), "skip")
        if row.merge_into is not None:
            combo.addItem(_("Update %(name)s") % {"name": row.merge_name}, "merge")
            combo.setItemData(1, _("Fill the empty fields of the existing product from this row and add its "
                                   "new barcodes; nothing new is created."), Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(combo.findData(row.decision))

        def chosen() -> None:
            row.decision = combo.currentData()
            self._summarize()

        combo.currentIndexChanged.connect(chosen)
        return combo

    def _summarize(self) -> None:
        super()._summarize()
        plan = self.plan
        if plan is not None and not plan.errors:
            self.summary.setText(_("Of %(total)s rows: %(new)s will be added, %(updated)s existing products "
                                   "updated, %(skipped)s skipped.") % {
                "total": len(plan.rows), "new": plan.count("import"), "updated": plan.count("merge"),
                "skipped": plan.count("skip")})

    @property
    def product_plan(self) -> ProductPlan | None:
        return cast(ProductPlan | None, self.plan)


def open_product_import(ctx: AppContext, parent: QWidget | None) -> ProductImportDialog:
    """Show the product import dialog (non-modal; returns it)."""
    dialog = ProductImportDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def export_product_file(ctx: AppContext, parent: QWidget | None, path: Path | None = None) -> Op[int] | None:
    """Ask where to save (CSV or .xlsx) and write the live products there."""
    if path is None:
        chosen, _chosen_filter = QFileDialog.getSaveFileName(parent, _("Export products"), "products.xlsx",
                                                             _(_FILTER))
        if not chosen:
            return None
        path = Path(chosen)
    target, db = path, ctx.session.client.db

    def write() -> int:
        with reading(db) as conn:
            headers, rows = export_products(conn)
        write_sheet(target, headers, rows)
        return len(rows)

    def failed(exc: BaseException) -> None:
        if parent is not None:
            QMessageBox.warning(parent, _("Export products"), error_text(exc))

    return ctx.ops.read(write).failure(failed).run()
