"""Log a call, meeting, visit (with its check-in) or note, or create a task, for one customer.

One dialog for every kind: the fields a kind does not use are not shown. Calls, meetings, visits
and notes are `crm.activity.log`; a task is `crm.task.create`. The customer's contacts are read
on the read pool; the dialog never touches the cache on the GUI thread."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.core.schema import metadata
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import ERROR_STYLE, MutationForm
from app.ui.crm.position import Fix, Locator, SourceFactory, system_source

KINDS = ("call", "meeting", "visit", "note", "task")
TITLES = {"call": N_("Log a call"), "meeting": N_("Log a meeting"), "visit": N_("Log a visit"),
          "note": N_("Add a note"), "task": N_("New task")}
contact = metadata.tables["contact"]
NOTE_STYLE = "color: #4b5563;"
#: field → the largest value in degrees either way
LIMITS = {"latitude": 90, "longitude": 180}


def to_qt(value: dt.datetime) -> QDateTime:
    """The wall-clock time of `value` in the business's time zone (as every date Yiti shows)."""
    local = value.astimezone(ZoneInfo(fmt.DISPLAY_TZ))
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_qt(value: QDateTime) -> dt.datetime:
    """An aware UTC timestamp of the wall-clock time the edit shows (business time zone)."""
    day, time = value.date(), value.time()
    wall = dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())
    return wall.replace(tzinfo=ZoneInfo(fmt.DISPLAY_TZ)).astimezone(dt.UTC)


def _when(now: dt.datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(to_qt(now))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


def _optional(edit: QDateTimeEdit, label: str) -> tuple[QWidget, QCheckBox]:
    """A date-time with a check box in front: unchecked means "not set"."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    check = QCheckBox(label)
    edit.setEnabled(False)
    check.toggled.connect(edit.setEnabled)
    row.addWidget(check)
    row.addWidget(edit, 1)
    return box, check


def _coordinate(text: str, limit: int) -> Decimal | None:
    """A typed latitude (limit 90) or longitude (180), or None when it is not one."""
    try:
        value = fmt.parse_number(text)
    except ValueError:
        return None
    if abs(value) > limit:
        return None
    return value.quantize(Decimal("0.000001"))


def load_contacts(ctx: AppContext, party_id: uuid.UUID) -> list[tuple[str, uuid.UUID]]:
    """The customer's live contacts as (name, id), by pinyin (runs on the read pool)."""
    with reading(ctx.session.client.db) as conn:
        rows = conn.execute(sa.select(contact.c.name, contact.c.id)
                            .where(contact.c.party_id == party_id, contact.c.archived.is_(False))
                            .order_by(contact.c.name_pinyin, contact.c.id)).all()
    return [(r.name, r.id) for r in rows]


class ActivityDialog(MutationForm):
    def __init__(self, ctx: AppContext, party_id: uuid.UUID, kind: str, contact_id: uuid.UUID | None = None,
                 parent: QWidget | None = None, position_source: SourceFactory | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown activity kind {kind!r}")
        super().__init__(ctx, _(TITLES[kind]), parent)
        self.setObjectName(f"activity_dialog_{kind}")
        self.party_id, self.kind, self.wanted_contact = party_id, kind, contact_id
        self.position_source = position_source or system_source
        now = ctx.session.client.clock()
        self.subject = self.add_field("subject", _("Subject:"), QLineEdit())
        self.contact = self.add_field("contact_id", _("Contact:"), QComboBox())
        self.contact.addItem(_("(no contact)"), None)
        self.contact.setEnabled(False)  # until the contacts arrive
        self.notes = self.add_field("body", _("Task details:") if kind == "task" else _("Notes:"), QPlainTextEdit())
        self.notes.setFixedHeight(80)
        self.outcome = QLineEdit()
        if kind in ("call", "meeting", "visit"):
            self.add_field("outcome", _("Outcome:"), self.outcome)
        if kind == "task":
            self._task_fields(now)
        else:
            self._logged_fields(now)
        self.subject.setFocus()
        ctx.ops.read(lambda: load_contacts(ctx, party_id)).success(self._fill_contacts).run()

    def _task_fields(self, now: dt.datetime) -> None:
        tomorrow = (now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        self.due = self.add_field("due_at", _("Due:"), _when(tomorrow))
        box, self.remind_on = _optional(_when(tomorrow - dt.timedelta(hours=1)), _("Remind me"))
        self.remind = box.findChild(QDateTimeEdit)
        self.add_field("remind_at", _("Reminder:"), box)

    def _logged_fields(self, now: dt.datetime) -> None:
        label = _("Checked in at:") if self.kind == "visit" else _("When:")
        self.occurred = self.add_field("occurred_at", label, _when(now))
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSuffix(" " + _("min"))
        self.duration.setSpecialValueText(_("not recorded"))
        if self.kind in ("call", "meeting"):
            self.add_field("duration_minutes", _("Duration:"), self.duration)
        if self.kind == "visit":
            self.place = self.add_field("place", _("Place:"), QLineEdit())
            self.address = self.add_field("address", _("Address:"), QLineEdit())
            self.latitude = self.add_field("latitude", _("Latitude:"), QLineEdit())
            self.longitude = self.add_field("longitude", _("Longitude:"), QLineEdit())
            self.latitude.setPlaceholderText(_("optional, e.g. 31.230416"))
            self.longitude.setPlaceholderText(_("optional, e.g. 121.473701"))
            self.coordinates = {"latitude": self.latitude, "longitude": self.longitude}
            for name, edit in self.coordinates.items():
                edit.editingFinished.connect(lambda n=name: self._check_coordinate(n))
            self._location_row()
            box, self.out_on = _optional(_when(now), _("Left"))
            self.checked_out = box.findChild(QDateTimeEdit)
            self.add_field("checked_out_at", _("Checked out at:"), box)

    def _fill_contacts(self, contacts: list[tuple[str, uuid.UUID]]) -> None:
        for name, contact_id in contacts:
            self.contact.addItem(name, str(contact_id))
        if self.wanted_contact is not None:
            self.contact.setCurrentIndex(max(self.contact.findData(str(self.wanted_contact)), 0))
        self.contact.setEnabled(True)

    # --- the check-in's position ----------------------------------------------------------------
    def _location_row(self) -> None:
        """"Use my location" and the line saying how it went, under the coordinates."""
        self.locator = Locator(self.position_source, parent=self)
        self.locate_button = QPushButton(_("Use my location"))
        self.locate_button.setObjectName("locate")
        self.location_note = QLabel()
        self.location_note.setWordWrap(True)
        self.location_note.hide()
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.locate_button, 0, Qt.AlignmentFlag.AlignLeft)
        row.addWidget(self.location_note, 1)
        self.form.addRow("", box)
        if self.locator.available:
            self.locate_button.setToolTip(_("Fill in the coordinates from this computer's location service."))
        else:
            self.locate_button.setEnabled(False)
            self.locate_button.setToolTip(_("This computer offers no location service: type the coordinates."))
        self.locate_button.clicked.connect(self.use_my_location)
        self.locator.located.connect(self._located)
        self.locator.failed.connect(self._not_located)
        self._asked_over: tuple[str, str] = ("", "")

    def use_my_location(self) -> bool:
        """Ask the location service (the answer arrives later); False when it cannot be asked."""
        self._asked_over = (self.latitude.text(), self.longitude.text())
        self._note(_("Finding this computer's location…"), NOTE_STYLE)
        self.locate_button.setEnabled(False)
        if not self.locator.locate():
            self.locate_button.setEnabled(self.locator.available)
            self.location_note.hide()
            return False
        return True

    def _located(self, fix: Fix) -> None:
        self.locate_button.setEnabled(True)
        latitude, longitude = fmt.number(fix.latitude, 6), fmt.number(fix.longitude, 6)
        if (self.latitude.text(), self.longitude.text()) != self._asked_over:  # typed meanwhile: theirs stay
            self._note(_("Kept the coordinates you typed; this computer reports %(latitude)s, %(longitude)s.")
                       % {"latitude": latitude, "longitude": longitude}, NOTE_STYLE)
            return
        self.latitude.setText(latitude)
        self.longitude.setText(longitude)
        for name in self.coordinates:
            self.hide_error(name)
        if fix.accuracy is None:
            self._note(_("Location found."), NOTE_STYLE)
        else:
            self._note(_("Location found, accurate to about %(metres)s m.")
                       % {"metres": fmt.number(max(round(fix.accuracy), 1))}, NOTE_STYLE)

    def _not_located(self, message: str) -> None:
        self.locate_button.setEnabled(True)
        self._note(message, ERROR_STYLE)

    def _note(self, text: str, style: str) -> None:
        self.location_note.setStyleSheet(style)
        self.location_note.setText(text)
        self.location_note.show()

    def _check_coordinate(self, name: str) -> bool:
        """Show at once whether a typed coordinate is one (empty is fine until Save)."""
        text = self.coordinates[name].text().strip()
        if text and _coordinate(text, LIMITS[name]) is None:
            self.show_error(name, _("A latitude is a number from -90 to 90.") if name == "latitude"
                            else _("A longitude is a number from -180 to 180."))
            return False
        self.hide_error(name)
        return True

    # --- the mutation -------------------------------------------------------------------------
    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        args: dict[str, Any] = {"id": new_id(), "party_id": self.party_id, "subject": self.subject.text().strip(),
                                "contact_id": self.contact.currentData()}
        ok = True
        if not args["subject"]:
            self.show_error("subject", _("Enter a subject."))
            ok = False
        body = self.notes.toPlainText().strip()
        if body:
            args["body"] = body
        if self.kind == "task":
            args["due_at"] = from_qt(self.due.dateTime())
            if self.remind_on.isChecked() and self.remind is not None:
                args["remind_at"] = from_qt(self.remind.dateTime())
                if args["remind_at"] > args["due_at"]:
                    self.show_error("remind_at", _("The reminder must come before the task is due."))
                    ok = False
            return ("crm.task.create", args) if ok else None
        args["kind"] = self.kind
        args["occurred_at"] = from_qt(self.occurred.dateTime())
        if self.outcome.text().strip():
            args["outcome"] = self.outcome.text().strip()
        if self.kind in ("call", "meeting") and self.duration.value() > 0:
            args["duration_minutes"] = self.duration.value()
        if self.kind == "visit":
            ok = self._visit(args) and ok
        return ("crm.activity.log", args) if ok else None

    def _visit(self, args: dict[str, Any]) -> bool:
        ok = True
        for key, edit in (("place", self.place), ("address", self.address)):
            if edit.text().strip():
                args[key] = edit.text().strip()
        args["checked_in_at"] = args["occurred_at"]
        lat_text, lon_text = self.latitude.text().strip(), self.longitude.text().strip()
        if lat_text or lon_text:
            lat, lon = _coordinate(lat_text, 90), _coordinate(lon_text, 180)
            if lat is None:
                self.show_error("latitude", _("A latitude is a number from -90 to 90.") if lat_text
                                else _("Enter both coordinates, or neither."))
            if lon is None:
                self.show_error("longitude", _("A longitude is a number from -180 to 180.") if lon_text
                                else _("Enter both coordinates, or neither."))
            ok = lat is not None and lon is not None
            args.update(latitude=lat, longitude=lon)
        if self.out_on.isChecked() and self.checked_out is not None:
            out = from_qt(self.checked_out.dateTime())
            if out < args["occurred_at"]:
                self.show_error("checked_out_at", _("The visit cannot end before it began."))
                ok = False
            else:
                args["checked_out_at"] = out
                args["duration_minutes"] = int((out - args["occurred_at"]).total_seconds() // 60)
        return ok


def open_activity_dialog(ctx: AppContext, parent: QWidget | None, party_id: str, kind: str,
                         contact_id: str | None = None) -> QDialog:
    """Open (non-modal) the dialog to log `kind` for this customer; returns it. Saving closes it;
    the views showing the customer refresh from `ops.changed`."""
    dialog = ActivityDialog(ctx, uuid.UUID(str(party_id)), kind,
                            uuid.UUID(str(contact_id)) if contact_id else None, parent)
    dialog.show()
    return dialog
