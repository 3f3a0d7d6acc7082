"""A rep checks in at a customer's site: "Use my location" fills the coordinates from the computer's
location service (here a real positioning source that answers like one: later, on the event loop),
says how accurate they are, says why when there is no answer, and never loses what was typed;
typed coordinates are checked as soon as the field is left."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDateTime, QObject, QTimer
from PySide6.QtPositioning import QGeoCoordinate, QGeoPositionInfo, QGeoPositionInfoSource

from app.core.ids import new_id
from app.core.schema import metadata
from app.sync.cache import reading
from app.ui.crm import position
from app.ui.crm.activity_dialogs import ActivityDialog

activity = metadata.tables["activity"]
Error = QGeoPositionInfoSource.Error
Answer = QGeoPositionInfo | QGeoPositionInfoSource.Error | None


class ScriptedSource(QGeoPositionInfoSource):
    """A positioning source whose one answer is set by the test: a position, an error, or silence.
    It answers from the event loop after `delay_ms`, as the operating system's services do."""

    def __init__(self, parent: QObject, answer: Answer, delay_ms: int = 30) -> None:
        super().__init__(parent)
        self.answer, self.delay_ms = answer, delay_ms
        self.requests: list[int] = []
        self._error = Error.NoError

    def requestUpdate(self, timeout: int = 0) -> None:
        self.requests.append(timeout)
        if self.answer is not None:
            QTimer.singleShot(self.delay_ms, self._answer)

    def _answer(self) -> None:
        if isinstance(self.answer, QGeoPositionInfo):
            self.positionUpdated.emit(self.answer)
        else:
            self._error = self.answer
            self.errorOccurred.emit(self.answer)

    def error(self) -> QGeoPositionInfoSource.Error:
        return self._error

    def lastKnownPosition(self, fromSatellitePositioningMethodsOnly: bool = False) -> QGeoPositionInfo:
        return QGeoPositionInfo()

    def minimumUpdateInterval(self) -> int:
        return 1000

    def supportedPositioningMethods(self) -> QGeoPositionInfoSource.PositioningMethod:
        return QGeoPositionInfoSource.PositioningMethod.AllPositioningMethods

    def startUpdates(self) -> None:
        pass

    def stopUpdates(self) -> None:
        pass


def _shanghai(accuracy: float | None = 25.4) -> QGeoPositionInfo:
    info = QGeoPositionInfo(QGeoCoordinate(31.2304161, 121.4737012), QDateTime.currentDateTime())
    if accuracy is not None:
        info.setAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy, accuracy)
    return info


@pytest.fixture
def rep(desk):
    return desk.client("rep1")


@pytest.fixture
def customer(rep) -> str:
    party = str(new_id())
    rep.mutate("crm.customer.create", {"id": party, "name": "上海华联超市"})
    return party


def _visit(qtbot, desk, rep, customer: str, answer: Answer = None, none: bool = False,
           delay_ms: int = 30) -> ActivityDialog:
    sources: list[ScriptedSource] = []

    def factory(parent: QObject) -> ScriptedSource | None:
        if none:
            return None
        sources.append(ScriptedSource(parent, answer, delay_ms))
        return sources[-1]

    dialog = ActivityDialog(desk.context(rep), uuid.UUID(customer), "visit", position_source=factory)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sources = sources
    return dialog


def test_my_location_fills_the_coordinates_with_their_accuracy_and_is_saved(qtbot, desk, rep, customer):
    dialog = _visit(qtbot, desk, rep, customer, _shanghai())
    assert dialog.locate_button.isEnabled()

    assert dialog.use_my_location()
    # the answer comes later, from the event loop: nothing waited for it
    assert dialog.latitude.text() == "" and not dialog.locate_button.isEnabled()
    assert dialog.location_note.text() == "Finding this computer's location…"
    assert dialog.sources[0].requests == [10_000]

    qtbot.waitUntil(lambda: dialog.latitude.text() != "", timeout=5_000)
    assert (dialog.latitude.text(), dialog.longitude.text()) == ("31.230416", "121.473701")
    assert dialog.location_note.text() == "Location found, accurate to about 25 m."
    assert dialog.locate_button.isEnabled()

    dialog.subject.setText("Store check")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with reading(rep.db) as conn:
        row = conn.execute(sa.select(activity).where(activity.c.kind == "visit")).mappings().one()
    assert (row["latitude"], row["longitude"]) == (Decimal("31.230416"), Decimal("121.473701"))


def test_a_refused_location_is_explained_next_to_the_fields_and_typed_values_stay(qtbot, desk, rep, customer):
    dialog = _visit(qtbot, desk, rep, customer, Error.AccessError)
    dialog.latitude.setText("30.5")
    dialog.longitude.setText("114.3")
    dialog.locate_button.click()
    qtbot.waitUntil(lambda: dialog.locate_button.isEnabled(), timeout=5_000)
    assert dialog.location_note.isVisible()
    assert dialog.location_note.text().startswith("This computer does not let Yiti read its location.")
    assert (dialog.latitude.text(), dialog.longitude.text()) == ("30.5", "114.3")


def test_no_answer_in_time_says_so_and_a_silent_service_is_given_up_on(qtbot, desk, rep, customer, monkeypatch):
    dialog = _visit(qtbot, desk, rep, customer, Error.UpdateTimeoutError)
    dialog.latitude.setText("30.5")
    dialog.use_my_location()
    qtbot.waitUntil(lambda: dialog.locate_button.isEnabled(), timeout=5_000)
    assert dialog.location_note.text() == ("The computer did not find its location within 10 seconds. "
                                           "Try again, or type the coordinates.")
    assert dialog.latitude.text() == "30.5"

    silent = _visit(qtbot, desk, rep, customer, None)
    silent.locator.timeout_ms = 100  # our own deadline follows the service's, plus a grace period
    monkeypatch.setattr(position, "GRACE_MS", 50)
    silent.use_my_location()
    assert silent.sources[0].requests == [100]
    qtbot.waitUntil(lambda: silent.locate_button.isEnabled(), timeout=5_000)
    assert silent.location_note.text().startswith("The computer did not find its location within 1 second.")


def test_coordinates_typed_while_locating_are_kept(qtbot, desk, rep, customer):
    dialog = _visit(qtbot, desk, rep, customer, _shanghai(accuracy=None), delay_ms=100)
    dialog.use_my_location()
    dialog.latitude.setText("22.543099")
    dialog.longitude.setText("114.057868")
    qtbot.waitUntil(lambda: dialog.locate_button.isEnabled(), timeout=5_000)
    assert (dialog.latitude.text(), dialog.longitude.text()) == ("22.543099", "114.057868")
    assert dialog.location_note.text() == ("Kept the coordinates you typed; this computer reports "
                                           "31.230416, 121.473701.")


def test_without_a_location_service_the_button_is_disabled_and_says_why(qtbot, desk, rep, customer):
    dialog = _visit(qtbot, desk, rep, customer, none=True)
    assert not dialog.locate_button.isEnabled()
    assert dialog.locate_button.toolTip() == "This computer offers no location service: type the coordinates."
    assert not dialog.use_my_location()
    assert dialog.location_note.isHidden() and not dialog.locate_button.isEnabled()


def test_a_typed_coordinate_out_of_range_is_flagged_when_the_field_is_left(qtbot, desk, rep, customer):
    dialog = _visit(qtbot, desk, rep, customer, _shanghai())
    dialog.latitude.setText("91")
    dialog.latitude.editingFinished.emit()
    assert dialog.error_of("latitude") == "A latitude is a number from -90 to 90."
    dialog.longitude.setText("-180.5")
    dialog.longitude.editingFinished.emit()
    assert dialog.error_of("longitude") == "A longitude is a number from -180 to 180."

    dialog.subject.setText("Store check")
    dialog.submit()
    assert dialog.isVisible() and dialog.error_of("latitude") and dialog.error_of("longitude")
    # the location service's answer replaces the wrong values and clears their errors
    dialog.latitude.setText("")
    dialog.longitude.setText("")
    dialog.use_my_location()
    qtbot.waitUntil(lambda: dialog.latitude.text() == "31.230416", timeout=5_000)
    dialog.longitude.setText("121.5")
    dialog.longitude.editingFinished.emit()
    assert dialog.error_of("latitude") == "" and dialog.error_of("longitude") == ""
