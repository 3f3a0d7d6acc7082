"""Form dialogs whose fields carry their own error line: `FieldForm` lays out the rows, the error
lines and Save / Cancel; `MutationForm` makes OK one CRM mutation, where errors naming a field
appear under that field, others under the form, and what the user typed stays until the cache
accepted the write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.core.errors import DomainError
from app.core.i18n import _
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.ops import Changes

ERROR_STYLE = "color: #b3261e;"
W = TypeVar("W", bound=QWidget)


class FieldForm(QDialog):
    """Rows added with `add_field`, each with an error line under it; OK calls `submit()`."""

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self.problem = error_label()  # errors that name no field of this form
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.problem)
        self.body.addWidget(self.buttons)

    def add_field(self, name: str, label: str, widget: W) -> W:
        """A row with its own error line underneath (shown only when there is an error)."""
        error = error_label()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self.errors[name] = error
        self.form.addRow(label, box)
        return widget

    def _label_of(self, field: str | None) -> QLabel:
        # "stage.new" is reported by the stage field's row
        return self.errors.get((field or "").split(".")[0], self.problem) if field else self.problem

    def show_error(self, field: str | None, text: str) -> None:
        label = self._label_of(field)
        label.setText(text)
        label.show()

    def hide_error(self, field: str) -> None:
        label = self._label_of(field)
        label.clear()
        label.hide()

    def error_of(self, field: str | None) -> str:
        """The error shown at `field` (None: the form's general line), or ''."""
        label = self._label_of(field)
        return "" if label.isHidden() else label.text()

    def clear_errors(self) -> None:
        for label in (*self.errors.values(), self.problem):
            label.clear()
            label.hide()

    def submit(self) -> None:
        raise NotImplementedError


class MutationForm(FieldForm):
    """Subclasses fill `self.form` with `add_field` and build their mutation in `mutation()`."""

    #: the cache took the write: what it changed
    saved = Signal(object)

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        """The mutation to run, or None when a field is wrong (the form shows which)."""
        raise NotImplementedError

    def submit(self) -> None:
        self.clear_errors()
        wanted = self.mutation()
        if wanted is None:
            return
        name, args = wanted
        self.ok_button.setEnabled(False)
        self.ctx.session.mutate(name, args).success(self._saved).failure(self._refused).run()

    def _saved(self, changes: Changes) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(changes)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError) and exc.errors():
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else None
            self.show_error(field, _("This value is not valid."))
            return
        self.show_error(exc.field if isinstance(exc, DomainError) else None, error_text(exc))


def error_label() -> QLabel:
    """A red, wrapping line for an error, hidden until there is one."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label
