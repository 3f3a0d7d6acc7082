"""The customer form: a new customer (checked for duplicates first) or an edit that sends only
the fields changed, each as {"base": shown, "new": typed}. Errors show under their field and the
typed form stays; a customer the user may not change opens read-only, saying whose it is."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.errors import DomainError
from app.core.i18n import N_, _, current_locale
from app.core.ids import new_id
from app.crm.customers import STATUSES, CustomerCreate
from app.crm.duplicates import Duplicate, find_duplicates
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.customer_form_data import CustomField, FormData, load_form_data
from app.ui.errors import error_text
from app.ui.pages.user_dialogs import ERROR_STYLE
from app.ui.pages.users import NOTE_STYLE

KINDS = {"company": N_("Company"), "person": N_("Person")}
LABELS = {
    "kind": N_("Kind:"), "name": N_("Name:"), "code": N_("Code:"), "status": N_("Status:"), "tier": N_("Tier:"),
    "owner_id": N_("Owner:"), "industry": N_("Industry:"), "territory": N_("Territory:"), "source": N_("Source:"),
    "credit_limit": N_("Credit limit:"), "tags": N_("Tags:"), "phone": N_("Phone:"), "phone2": N_("Other phone:"),
    "email": N_("E-mail:"), "wechat": N_("WeChat:"), "website": N_("Website:"), "province": N_("Province:"),
    "city": N_("City:"), "district": N_("District:"), "street": N_("Street:"), "postcode": N_("Postcode:"),
    "country": N_("Country:"), "notes": N_("Notes:"),
}
REASONS = {"phone": N_("same phone"), "email": N_("same e-mail"), "name": N_("similar name")}
DUPLICATE_KINDS = {"customer": N_("Customer"), "contact": N_("Contact"), "lead": N_("Lead")}
NO_DATE = QDate(1900, 1, 1)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class CustomerFormDialog(QDialog):
    """New customer (`party_id` None) or edit one; loads what it shows on the read pool."""

    #: the form's data arrived and the fields are filled
    loaded = Signal()
    #: the customer was created or changed (its id)
    saved = Signal(str)

    def __init__(self, ctx: AppContext, party_id: uuid.UUID | str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.party_id = None if party_id is None else uuid.UUID(str(party_id))
        self.data: FormData | None = None
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.duplicates_seen = False
        self.setWindowTitle(_("New customer") if self.party_id is None else _("Edit customer"))
        self.setMinimumWidth(820)
        self.note = QLabel()
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setWordWrap(True)
        self.note.hide()
        self.problem = self._error_label()
        self._build_fields()
        self.duplicate_box = self._build_duplicates()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        self.save_button.setEnabled(False)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(_("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(self.grid)
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        identity = ctx.session.identity
        ctx.ops.read(lambda: load_form_data(ctx.session.client.db, identity.user_id, identity.role, self.party_id)
                     ).success(self._fill).failure(self._show_problem).run()

    # --- building -------------------------------------------------------------------------------
    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    def _add(self, form: QFormLayout, name: str, widget: QWidget, label: str | None = None) -> None:
        error = self._error_label()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        form.addRow(label if label is not None else _(LABELS[name]), box)
        self.widgets[name] = widget
        self.errors[name] = error

    def _combo(self, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        for text, value in items:
            combo.addItem(text, value)
        return combo

    def _build_fields(self) -> None:
        self.grid = QGridLayout()
        general, contact, address = (QGroupBox(_("Customer")), QGroupBox(_("Contact")), QGroupBox(_("Address")))
        forms = [QFormLayout(box) for box in (general, contact, address)]
        self._add(forms[0], "kind", self._combo([(_(t), k) for k, t in KINDS.items()]))
        self._add(forms[0], "name", QLineEdit())
        self._add(forms[0], "code", QLineEdit())
        self._add(forms[0], "status", self._combo([(_(t), k) for k, t in STATUSES.items()]))
        self._add(forms[0], "tier", self._combo([("—", None), *((t, t) for t in "ABCD")]))
        self._add(forms[0], "owner_id", QComboBox())
        for name in ("industry", "territory", "source"):
            self._add(forms[0], name, QLineEdit())
        self._add(forms[0], "credit_limit", QLineEdit())
        self._add(forms[0], "tags", QLineEdit())
        self.widgets["tags"].setPlaceholderText(_("separated by commas"))  # type: ignore[attr-defined]
        for name in ("phone", "phone2", "email", "wechat", "website"):
            self._add(forms[1], name, QLineEdit())
        for name in ("province", "city", "district", "street", "postcode", "country"):
            self._add(forms[2], name, QLineEdit())
        self.custom_box = QGroupBox(_("More"))
        self.custom_form = QFormLayout(self.custom_box)
        self.custom_box.hide()
        notes = QPlainTextEdit()
        notes.setFixedHeight(70)
        self._add(forms[1], "notes", notes)
        self.grid.addWidget(general, 0, 0, 2, 1)
        self.grid.addWidget(contact, 0, 1)
        self.grid.addWidget(address, 1, 1)
        self.grid.addWidget(self.custom_box, 2, 0, 1, 2)
        for name in ("name", "phone", "phone2", "email"):  # another name or phone: check for duplicates again
            self.widgets[name].textChanged.connect(self._forget_duplicates)  # type: ignore[attr-defined]

    def _build_duplicates(self) -> QFrame:
        box = QFrame()
        box.setStyleSheet("QFrame#duplicates { background: #fff4ce; border-radius: 4px; }")
        box.setObjectName("duplicates")
        self.duplicate_text = QLabel(_("This customer may exist already. Open one of these instead, or create "
                                       "the new customer anyway."))
        self.duplicate_text.setWordWrap(True)
        self.duplicate_list = QListWidget()
        self.duplicate_list.setFixedHeight(90)
        self.duplicate_list.itemDoubleClicked.connect(lambda _item: self.open_duplicate())
        self.open_button = QPushButton(_("Open selected"))
        self.open_button.clicked.connect(self.open_duplicate)
        self.anyway_button = QPushButton(_("Create anyway"))
        self.anyway_button.clicked.connect(self.create_anyway)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.anyway_button)
        column = QVBoxLayout(box)
        column.addWidget(self.duplicate_text)
        column.addWidget(self.duplicate_list)
        column.addLayout(buttons)
        box.hide()
        return box

    def _custom_widget(self, f: CustomField) -> QWidget:
        if f.type == "choice":
            return self._combo([("", None), *((c, c) for c in f.choices)])
        if f.type == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText(" ")  # the minimum date shows blank: no date
            edit.setDate(NO_DATE)
            return edit
        return QLineEdit()

    # --- filling --------------------------------------------------------------------------------
    def _fill(self, data: FormData) -> None:
        self.data = data
        owner = self.widgets["owner_id"]
        assert isinstance(owner, QComboBox)
        owner.addItem(_("Nobody (team pool)"), None)
        for user_id, name in data.owners:
            owner.addItem(name, str(user_id))  # Qt finds str data, not Python objects
        current = data.values.get("owner_id")
        if current is not None and owner.findData(str(current)) < 0:
            owner.addItem(data.owner_name or _("another sales rep"), str(current))
        zh = current_locale().startswith("zh")
        for f in data.custom_fields:
            label = f"{f.label_zh if zh else f.label_en}:" + (" *" if f.required else "")
            self._add(self.custom_form, f"custom_values.{f.id}", self._custom_widget(f), label)
        self.custom_box.setVisible(bool(data.custom_fields))
        if self.party_id is None:
            me = self.ctx.session.identity
            self.set_value("owner_id", me.user_id if me.role == "sales_rep" else None)
        else:
            for name, value in data.values.items():
                if name != "custom_values":
                    self.set_value(name, value)
            for key, value in data.values.get("custom_values", {}).items():
                self.set_value(f"custom_values.{key}", value)
        if not data.editable:
            self._make_read_only(data.owner_name or _("another sales rep"))
        self.save_button.setEnabled(data.editable)
        self.loaded.emit()

    def _make_read_only(self, owner: str) -> None:
        self.note.setText(_("This customer belongs to %(owner)s: you may read it but not change it.")
                          % {"owner": owner})
        self.note.show()
        for widget in self.widgets.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)
        self.save_button.hide()
        self.cancel_button.setText(_("Close"))

    @property
    def read_only(self) -> bool:
        return self.data is not None and not self.data.editable

    def set_value(self, name: str, value: Any) -> None:
        widget = self.widgets[name]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(None if value is None else str(value)), 0))
        elif isinstance(widget, QDateEdit):
            widget.setDate(QDate.fromString(str(value), "yyyy-MM-dd") if value else NO_DATE)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(_text(value))
        elif isinstance(widget, QLineEdit):
            if name == "tags":
                widget.setText(", ".join(value or []))
            elif name == "credit_limit":
                widget.setText("" if value is None else fmt.number(value, places=2))
            elif name.startswith("custom_values.") and value is not None and self._field(name).type == "number":
                widget.setText(fmt.number(Decimal(str(value))))
            else:
                widget.setText(_text(value))

    def _field(self, name: str) -> CustomField:
        assert self.data is not None
        return next(f for f in self.data.custom_fields if f"custom_values.{f.id}" == name)

    # --- reading the form -----------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """The typed value as the mutator takes it; ValueError when it cannot be read."""
        widget = self.widgets[name]
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            return uuid.UUID(data) if name == "owner_id" and data else data
        if isinstance(widget, QDateEdit):
            return None if widget.date() == NO_DATE else widget.date().toString("yyyy-MM-dd")
        text = (widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()).strip()  # type: ignore[attr-defined]
        if name == "tags":
            return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
        if not text:
            return None
        if name == "credit_limit" or (name.startswith("custom_values.") and self._field(name).type == "number"):
            number = fmt.parse_number(text)
            return number if name == "credit_limit" else str(number)
        return text

    def values(self) -> dict[str, Any] | None:
        """Every field's typed value, or None after showing which could not be read."""
        out: dict[str, Any] = {"custom_values": {}}
        ok = True
        for name in self.widgets:
            try:
                value = self.value(name)
            except ValueError:
                self.show_error(name, _("Enter a number, such as %(example)s.") % {"example": fmt.number(
                    Decimal("12345.5"), places=2)})
                ok = False
                continue
            if name.startswith("custom_values."):
                key = name.split(".", 1)[1]
                if value is None and self._field(name).required:
                    self.show_error(name, _("This field is required."))
                    ok = False
                out["custom_values"][key] = value
            else:
                out[name] = value
        if not out.get("name"):
            self.show_error("name", _("Enter the customer's name."))
            ok = False
        return out if ok else None

    # --- errors ---------------------------------------------------------------------------------
    def show_error(self, field: str | None, text: str) -> None:
        label = self.errors.get(field or "", self.problem)
        label.setText(text)
        label.show()

    def error_of(self, field: str | None) -> str:
        """The error shown at `field` (None: the form's general line), or ''."""
        label = self.errors.get(field or "", self.problem)
        return "" if label.isHidden() else label.text()

    def clear_errors(self) -> None:
        for label in (*self.errors.values(), self.problem):
            label.clear()
            label.hide()

    def _show_problem(self, exc: BaseException) -> None:
        self.save_button.setEnabled(self.data is not None and self.data.editable)
        if isinstance(exc, ValidationError):
            for item in exc.errors():
                loc = [str(p) for p in item["loc"]]
                name = ".".join(loc[:2]) if loc and loc[0] == "custom_values" else (loc[0] if loc else "")
                self.show_error(name if name in self.errors else None,
                                _("This value is not valid: %(reason)s") % {"reason": item["msg"]})
            return
        field = exc.field if isinstance(exc, DomainError) else None
        self.show_error(field, error_text(exc))

    # --- saving ---------------------------------------------------------------------------------
    def submit(self) -> None:
        """Save: a create is checked for duplicates first; an edit sends only what changed."""
        if self.data is None or not self.data.editable:
            return
        self.clear_errors()
        values = self.values()
        if values is None:
            return
        if self.party_id is None:
            self._create(values)
        else:
            self._update(values)

    def _create(self, values: dict[str, Any]) -> None:
        args = {k: v for k, v in values.items() if v not in (None, [], {})}
        args["custom_values"] = {k: v for k, v in values["custom_values"].items() if v is not None}
        args["id"] = new_id()
        try:
            CustomerCreate.model_validate(args)
        except ValidationError as exc:
            self._show_problem(exc)
            return
        if not self.duplicates_seen:
            db = self.ctx.session.client.db
            name, phone, email = args.get("name"), args.get("phone") or args.get("phone2"), args.get("email")

            def look() -> list[Duplicate]:
                with reading(db) as conn:
                    return find_duplicates(conn, name=name, phone=phone, email=email)

            self.save_button.setEnabled(False)
            self.ctx.ops.read(look).success(lambda found: self._duplicates_found(found, args)).failure(
                self._show_problem).run()
            return
        self._send("crm.customer.create", args, str(args["id"]))

    def _duplicates_found(self, found: list[Duplicate], args: dict[str, Any]) -> None:
        self.save_button.setEnabled(True)
        if not found:
            self.duplicates_seen = True
            self._send("crm.customer.create", args, str(args["id"]))
            return
        self.duplicate_list.clear()
        for dup in found:
            item = QListWidgetItem(f"{_(DUPLICATE_KINDS.get(dup.kind, dup.kind))}: {dup.name} "
                                   f"({_(REASONS.get(dup.reason, dup.reason))})")
            item.setData(Qt.ItemDataRole.UserRole, None if dup.party_id is None else str(dup.party_id))
            self.duplicate_list.addItem(item)
        self.duplicate_list.setCurrentRow(0)
        self.duplicate_box.show()

    @property
    def duplicates_shown(self) -> list[str]:
        """The possible duplicates listed (their text), empty when none is shown."""
        if self.duplicate_box.isHidden():
            return []
        return [self.duplicate_list.item(i).text() for i in range(self.duplicate_list.count())]

    def _forget_duplicates(self, *_args: object) -> None:
        self.duplicates_seen = False
        self.duplicate_box.hide()

    def open_duplicate(self) -> None:
        """Open the selected match's customer instead of creating a new one."""
        item = self.duplicate_list.currentItem()
        party_id = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        if party_id is None:
            self.show_error(None, _("This match is a lead without a customer yet: open it from Leads."))
            return
        self.ctx.act("open_customer", party_id)
        self.reject()

    def create_anyway(self) -> None:
        self.duplicates_seen = True
        self.duplicate_box.hide()
        self.submit()

    def _update(self, values: dict[str, Any]) -> None:
        assert self.data is not None and self.party_id is not None
        base = self.data.values
        patch: dict[str, Any] = {}
        for name, new in values.items():
            if name == "custom_values":
                shown = base.get("custom_values", {})
                custom = {k: {"base": shown.get(k), "new": v} for k, v in new.items() if v != shown.get(k)}
                if custom:
                    patch["custom_values"] = custom
            elif new != base.get(name):
                patch[name] = {"base": base.get(name), "new": new}
        if not patch:
            self.accept()
            return
        self._send("crm.customer.update", {"id": self.party_id, **patch}, str(self.party_id))

    def _send(self, name: str, args: dict[str, Any], party_id: str) -> None:
        self.save_button.setEnabled(False)

        def done(_changes: object) -> None:
            self.save_button.setEnabled(True)
            self.saved.emit(party_id)
            self.accept()

        self.ctx.session.mutate(name, args).success(done).failure(self._show_problem).run()
