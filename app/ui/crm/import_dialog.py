"""Import customers, contacts or leads from a spreadsheet, and export them to one.

The dialog: pick a file → check the column mapping (guessed from the headers; a customer import
offers the tenant's custom fields too) → preview with each row's errors and possible duplicates
(skip / import anyway / merge into the existing customer or contact, which fills its empty
fields) → import. Every planned mutation is queued in ONE cache transaction: a failure or a
cancel leaves nothing half-imported, and what is queued syncs like typed data.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import N_, _
from app.crm.exchange_files import (
    Column,
    Entity,
    Sheet,
    columns_for,
    export_table,
    guess_mapping,
    read_sheet,
    write_sheet,
)
from app.crm.import_plan import ImportPlan, PlannedRow, plan_import
from app.sync import outbox
from app.sync.cache import reading
from app.sync.codec import loads
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.ops import Changes, Op

TITLES = {"customer": N_("Import customers"), "contact": N_("Import contacts"), "lead": N_("Import leads")}
PREVIEW_ROWS = 50
#: the preview's first columns, before the file's own
ROW, CHECK, DUPLICATE = 0, 1, 2
FLAGGED = QColor("#fff4ce")
_FILTER = N_("Spreadsheets (*.csv *.xlsx);;CSV (*.csv);;Excel (*.xlsx)")


class ImportCancelled(Exception):
    """The user cancelled: the transaction rolls back, nothing is queued."""


class _Progress(QObject):
    advanced = Signal(int, int)


def queue_all(ctx: AppContext, batch: list[tuple[str, dict[str, Any]]], progress: _Progress,
              cancel: threading.Event) -> Changes:
    """Writer thread: run and queue every mutation in one cache transaction (all or nothing)."""
    client = ctx.session.client
    changes = Changes()
    user_id, now = client.user_id(), client.clock()
    with client.db.begin() as conn:
        for done, (name, args) in enumerate(batch, start=1):
            if cancel.is_set():
                raise ImportCancelled()
            version, clean = outbox.validate(name, args)
            mutation_id = outbox.record(conn, user_id, now, name, clean, version)
            touched = conn.execute(sa.text("SELECT touched FROM outbox WHERE id = :id"), {"id": mutation_id}).scalar()
            for table, row_id in loads(touched or "[]"):
                changes.add(table, row_id)
            progress.advanced.emit(done, len(batch))
    return changes


class ImportDialog(QDialog):
    imported = Signal(int)

    def __init__(self, ctx: AppContext, entity: Entity, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.entity = ctx, entity
        self.sheet: Sheet | None = None
        self.columns: tuple[Column, ...] = ()
        self.plan: ImportPlan | None = None
        self._cancel = threading.Event()
        self._running = False
        self.setWindowTitle(_(TITLES[entity]))
        self.resize(900, 620)
        self.file_label = QLabel(_("No file chosen"))
        choose = QPushButton(_("Choose file…"))
        choose.clicked.connect(self._choose)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(choose)
        self.mapping = QTableWidget(0, 2)
        self.mapping.setHorizontalHeaderLabels([_("Column in the file"), _("Imported as")])
        self.mapping.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping.verticalHeader().hide()
        self.mapping.setMaximumHeight(170)
        self.preview = QTableWidget(0, 0)
        self.preview.verticalHeader().hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self._cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel(_("Columns")))
        layout.addWidget(self.mapping)
        layout.addWidget(QLabel(_("Preview")))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    # --- file and mapping ------------------------------------------------------------------------
    def _choose(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(self, _(TITLES[self.entity]), "", _(_FILTER))
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> Op[tuple[Sheet, tuple[Column, ...]]]:
        self.file_label.setText(path.name)
        db, entity = self.ctx.session.client.db, self.entity

        def read() -> tuple[Sheet, tuple[Column, ...]]:
            sheet = read_sheet(path)
            with reading(db) as conn:
                return sheet, columns_for(conn, entity)

        return self.ctx.ops.read(read).success(lambda got: self._show_sheet(*got)).failure(self._show_error).run()

    def _show_sheet(self, sheet: Sheet, columns: tuple[Column, ...]) -> None:
        self.sheet, self.columns = sheet, columns
        mapping = guess_mapping(self.entity, sheet.headers, columns)
        self.mapping.setRowCount(len(sheet.headers))
        for index, header in enumerate(sheet.headers):
            self.mapping.setItem(index, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem(_("(not imported)"), None)
            for column in columns:
                combo.addItem(column.title, column.name)
            combo.setCurrentIndex(max(combo.findData(mapping.get(index)), 0))
            combo.currentIndexChanged.connect(self.replan)
            self.mapping.setCellWidget(index, 1, combo)
        self.replan()

    def current_mapping(self) -> dict[int, str | None]:
        out: dict[int, str | None] = {}
        for index in range(self.mapping.rowCount()):
            combo = self.mapping.cellWidget(index, 1)
            out[index] = combo.currentData() if isinstance(combo, QComboBox) else None
        return out

    def replan(self) -> Op[ImportPlan] | None:
        sheet = self.sheet
        if sheet is None:
            return None
        mapping, owner = self.current_mapping(), self.ctx.session.client.user_id()
        db, role = self.ctx.session.client.db, self.ctx.session.identity.role

        def plan() -> ImportPlan:
            with reading(db) as conn:
                return plan_import(conn, self.entity, sheet, mapping, owner, role=role)

        self.import_button.setEnabled(False)
        return self.ctx.ops.read(plan).success(self._show_plan).failure(self._show_error).run()

    # --- preview ---------------------------------------------------------------------------------
    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        sheet = self.sheet
        assert sheet is not None
        self.preview.clear()
        first = DUPLICATE + 1
        self.preview.setColumnCount(len(sheet.headers) + first)
        self.preview.setHorizontalHeaderLabels([_("Row"), _("Check"), _("Possible duplicate of"), *sheet.headers])
        shown = plan.rows[:PREVIEW_ROWS] + [r for r in plan.rows[PREVIEW_ROWS:] if r.errors or r.duplicates]
        self.preview.setRowCount(len(shown))
        for line, row in enumerate(shown):
            self.preview.setItem(line, ROW, QTableWidgetItem(str(row.row)))
            if row.errors:
                text = "; ".join(f"{e.column}: {e.reason}" for e in row.errors)
                item = QTableWidgetItem(text)
                item.setForeground(Qt.GlobalColor.red)
                self.preview.setItem(line, CHECK, item)
            elif row.duplicates:
                self.preview.setCellWidget(line, CHECK, self._decision(row))
            else:
                self.preview.setItem(line, CHECK, QTableWidgetItem(_("OK")))
            duplicate = QTableWidgetItem("; ".join(row.duplicates))
            duplicate.setToolTip(duplicate.text())
            self.preview.setItem(line, DUPLICATE, duplicate)
            for col, value in enumerate(sheet.rows[row.row - 2]):
                self.preview.setItem(line, col + first, QTableWidgetItem(value))
            if row.duplicates and not row.errors:
                for col in range(self.preview.columnCount()):
                    cell = self.preview.item(line, col)
                    if cell is not None:
                        cell.setBackground(FLAGGED)
        self.preview.resizeColumnsToContents()
        choices = [w.sizeHint().width() for r in range(len(shown)) if (w := self.preview.cellWidget(r, CHECK))]
        self.preview.setColumnWidth(CHECK, max([self.preview.columnWidth(CHECK), *choices]))
        self.preview.setColumnWidth(DUPLICATE, min(self.preview.columnWidth(DUPLICATE), 360))
        self._summarize()

    def _decision(self, row: PlannedRow) -> QComboBox:
        combo = QComboBox()
        combo.addItem(_("Skip"), "skip")
        combo.addItem(_("Import anyway"), "import")
        if row.merge_into is not None:
            combo.addItem(_("Merge into %(name)s") % {"name": row.merge_name}, "merge")
            combo.setItemData(2, _("Fill the empty fields of the existing record from this row; nothing new "
                                   "is created."), Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(combo.findData(row.decision))

        def chosen() -> None:
            row.decision = combo.currentData()
            self._summarize()

        combo.currentIndexChanged.connect(chosen)
        return combo

    def _summarize(self) -> None:
        plan = self.plan
        if plan is None:
            return
        if plan.errors:
            self.summary.setText(_("%(n)s rows have errors: fix the file and choose it again. Nothing is imported "
                                   "while any row has an error.") % {"n": len({e.row for e in plan.errors})})
            self.summary.setStyleSheet("color: #b00020;")
        else:
            self.summary.setText(_("Of %(total)s rows: %(new)s will be added, %(merged)s merged into existing "
                                   "records, %(skipped)s skipped.") % {
                "total": len(plan.rows), "new": plan.count("import"), "merged": plan.count("merge"),
                "skipped": plan.count("skip")})
            self.summary.setStyleSheet("")
        self.import_button.setEnabled(plan.ok and any(r.decision != "skip" for r in plan.rows))

    # --- import ----------------------------------------------------------------------------------
    def start_import(self) -> Op[Changes] | None:
        plan = self.plan
        if plan is None or not plan.ok:
            return None
        batch = plan.mutations()
        relay = _Progress(self)
        relay.advanced.connect(self._advanced)
        self._cancel.clear()
        self._running = True
        self.import_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        count = plan.count("import") + plan.count("merge")
        return (self.ctx.ops.write(lambda: queue_all(self.ctx, batch, relay, self._cancel))
                .success(lambda _changes: self._done(count)).failure(self._failed).run())

    def _advanced(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _done(self, count: int) -> None:
        self._running = False
        self.ctx.session.refresh_counts()
        self.imported.emit(count)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.progress.hide()
        if isinstance(exc, ImportCancelled):
            self.summary.setText(_("Import cancelled: nothing was imported."))
        else:
            self._show_error(exc)
        self.import_button.setEnabled(self.plan is not None and self.plan.ok)

    def _show_error(self, exc: BaseException) -> None:
        self.summary.setText(_("Nothing was imported: %(reason)s") % {"reason": error_text(exc)})
        self.summary.setStyleSheet("color: #b00020;")

    def _cancel_or_close(self) -> None:
        if self._running:
            self._cancel.set()
        else:
            self.reject()


def open_import_dialog(ctx: AppContext, parent: QWidget | None, entity: Entity) -> ImportDialog:
    """Show the import dialog for customers, contacts or leads (non-modal; returns it)."""
    dialog = ImportDialog(ctx, entity, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def export_rows(ctx: AppContext, parent: QWidget | None, entity: Entity, path: Path | None = None) -> Op[int] | None:
    """Ask where to save (CSV or .xlsx) and write the live customers, contacts or leads there."""
    if path is None:
        chosen, _chosen_filter = QFileDialog.getSaveFileName(parent, _("Export"), f"{entity}s.xlsx", _(_FILTER))
        if not chosen:
            return None
        path = Path(chosen)
    target, db = path, ctx.session.client.db

    def write() -> int:
        with reading(db) as conn:
            headers, rows = export_table(conn, entity)
        write_sheet(target, headers, rows)
        return len(rows)

    def failed(exc: BaseException) -> None:
        if parent is not None:
            QMessageBox.warning(parent, _("Export"), error_text(exc))

    return ctx.ops.read(write).failure(failed).run()


def files_button(parent: QWidget, ctx: AppContext, entries: Sequence[tuple[str, str, str]]) -> QToolButton:
    """An "Import / export" button whose menu runs `open_import_dialog` or `export_rows` for each
    (label, "import" | "export", entity) entry."""
    button = QToolButton(parent)
    button.setText(_("Import / export"))
    button.setObjectName("files_button")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    for label, what, entity in entries:
        action = menu.addAction(label)
        if what == "import":
            action.triggered.connect(lambda _c=False, e=entity: open_import_dialog(ctx, parent, e))
        else:
            action.triggered.connect(lambda _c=False, e=entity: export_rows(ctx, parent, e))
    button.setMenu(menu)
    return button
