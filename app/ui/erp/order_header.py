"""The header of a quote or order: the customer, a contact of theirs, the order date, valid until,
the requested date, the warehouse (the first by default), the delivery address and notes, each with
its own error line."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _
from app.ui.crm.forms import error_label
from app.ui.erp.order_reads import EditorData

#: the optional dates: the earliest date stands for "none"
NO_DATE = QDate(2000, 1, 1)
VALID_DAYS = 30
#: header fields the rep may still change on a saved quote (erp.order.update)
PATCHED = ("valid_until", "requested_date", "warehouse_id", "delivery_address", "notes")


def _date_edit(name: str, optional: bool) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if optional:
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("—")
        edit.setDate(NO_DATE)
    return edit


def date_of(edit: QDateEdit) -> dt.date | None:
    value = edit.date()
    if value == NO_DATE and edit.specialValueText():
        return None
    return dt.date(value.year(), value.month(), value.day())


def _set_date(edit: QDateEdit, value: dt.date | None) -> None:
    edit.setDate(QDate(value.year, value.month, value.day) if value is not None else NO_DATE)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class OrderHeader(QWidget):
    """`edited` when the rep changes a field; `promise_changed` when the requested date or the
    warehouse changed (what the lines can promise is read again)."""

    edited = Signal()
    promise_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors: dict[str, QLabel] = {}
        self.customer = QLabel()
        self.customer.setObjectName("customer")
        self.customer.setStyleSheet("font-weight: 600;")
        self.contact = QComboBox()
        self.contact.setObjectName("contact")
        self.order_date = _date_edit("order_date", optional=False)
        self.order_date.setDate(QDate.currentDate())
        self.valid_until = _date_edit("valid_until", optional=True)
        self.requested_date = _date_edit("requested_date", optional=True)
        self.warehouse = QComboBox()
        self.warehouse.setObjectName("warehouse")
        self.delivery_address = QLineEdit()
        self.delivery_address.setObjectName("delivery_address")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setMaximumHeight(64)
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        for rows in ((("party_id", _("Customer"), self.customer), ("contact_id", _("Contact"), self.contact),
                      ("order_date", _("Order date"), self.order_date),
                      ("valid_until", _("Valid until"), self.valid_until)),
                     (("requested_date", _("Requested date"), self.requested_date),
                      ("warehouse_id", _("Warehouse"), self.warehouse),
                      ("delivery_address", _("Delivery address"), self.delivery_address),
                      ("notes", _("Notes"), self.notes))):
            form = QFormLayout()
            for name, label, widget in rows:
                form.addRow(label, self._with_error(name, widget))
            columns.addLayout(form, 1)
        for signal in (self.contact.currentIndexChanged, self.order_date.dateChanged, self.valid_until.dateChanged,
                       self.requested_date.dateChanged, self.warehouse.currentIndexChanged,
                       self.delivery_address.textEdited, self.notes.textChanged):
            signal.connect(lambda *_a: self.edited.emit())
        self.requested_date.dateChanged.connect(lambda _d: self.promise_changed.emit())
        self.warehouse.currentIndexChanged.connect(lambda _i: self.promise_changed.emit())

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        self.errors[name] = error_label()
        column.addWidget(self.errors[name])
        return box

    def _fields(self) -> tuple[QWidget, ...]:
        return (self.contact, self.order_date, self.valid_until, self.requested_date, self.warehouse,
                self.delivery_address, self.notes)

    def fill(self, data: EditorData) -> None:
        """Show the loaded document (or a new quote's defaults) without counting it as an edit."""
        for widget in self._fields():
            widget.blockSignals(True)
        self.customer.setText(data.party_name)
        self.contact.clear()
        self.contact.addItem(_("No contact"), None)
        for contact_id, name in data.contacts:
            self.contact.addItem(name, str(contact_id))
        self.warehouse.clear()
        for warehouse_id, name in data.warehouses:
            self.warehouse.addItem(name, str(warehouse_id))
        order = data.order
        if order is None:
            self.valid_until.setDate(QDate.currentDate().addDays(VALID_DAYS))
            self.delivery_address.setText(data.default_address)
        else:
            self.contact.setCurrentIndex(max(self.contact.findData(str(order["contact_id"])), 0))
            _set_date(self.order_date, order["order_date"])
            _set_date(self.valid_until, order["valid_until"])
            _set_date(self.requested_date, order["requested_date"])
            if order["warehouse_id"] is not None:
                self.warehouse.setCurrentIndex(max(self.warehouse.findData(str(order["warehouse_id"])), 0))
            self.delivery_address.setText(order["delivery_address"] or "")
            self.notes.setPlainText(order["notes"] or "")
        for widget in self._fields():
            widget.blockSignals(False)

    def set_editable(self, editable: bool, new: bool) -> None:
        for widget in (self.valid_until, self.requested_date, self.warehouse, self.delivery_address, self.notes):
            widget.setEnabled(editable)
        for widget in (self.contact, self.order_date):  # fixed once the quote exists
            widget.setEnabled(editable and new)

    def requested(self) -> dt.date | None:
        return date_of(self.requested_date)

    def warehouse_id(self) -> uuid.UUID | None:
        chosen = self.warehouse.currentData()
        return uuid.UUID(chosen) if chosen else None

    def values(self) -> dict[str, Any]:
        """The terms as erp.order.* arguments (the PATCHED fields)."""
        return {"valid_until": _iso(date_of(self.valid_until)), "requested_date": _iso(self.requested()),
                "warehouse_id": self.warehouse.currentData(),
                "delivery_address": self.delivery_address.text().strip() or None,
                "notes": self.notes.toPlainText().strip() or None}

    def create_values(self) -> dict[str, Any]:
        """What only a new quote sets: the contact and the order date."""
        return {"contact_id": self.contact.currentData(), "order_date": _iso(date_of(self.order_date))}

    def patches(self, order: dict[str, Any]) -> dict[str, Any]:
        """The terms changed since `order` was loaded, as {field: {base, new}}."""
        typed, out = self.values(), {}
        for name in PATCHED:
            base = order[name]
            base = _iso(base) if isinstance(base, dt.date) else (str(base) if base is not None else None)
            if typed[name] != base:
                out[name] = {"base": base, "new": typed[name]}
        return out
