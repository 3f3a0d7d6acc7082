"""Where this computer is, from the operating system's location service (GPS, Wi-Fi, the desktop's
location daemon), for a visit's check-in. Qt Positioning answers asynchronously: `locate()` asks
and returns at once, then `located` or `failed` arrives; the GUI never waits for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtPositioning import QGeoPositionInfo, QGeoPositionInfoSource

from app.core.i18n import N_, _, ngettext

#: makes the positioning source (or None where the computer has none), parented to the given object
SourceFactory = Callable[[QObject], QGeoPositionInfoSource | None]
#: how long the location service may take to answer one request
TIMEOUT_MS = 10_000
#: our own deadline after the service's, for a service that never answers at all
GRACE_MS = 2_000
Error = QGeoPositionInfoSource.Error
MESSAGES = {
    Error.AccessError: N_("This computer does not let Yiti read its location. Allow it in the system's "
                          "privacy settings, or type the coordinates."),
    Error.ClosedError: N_("The computer's location service is switched off. Type the coordinates instead."),
}
UNKNOWN = N_("The computer could not tell its location. Type the coordinates instead.")
SIX_PLACES = Decimal("0.000001")


def system_source(parent: QObject) -> QGeoPositionInfoSource | None:
    """The operating system's default positioning source, or None where there is none."""
    desktop_id = QGuiApplication.desktopFileName() or "yiti"  # how the Linux location daemon names us
    return QGeoPositionInfoSource.createDefaultSource({"desktopId": desktop_id}, parent)


@dataclass(frozen=True)
class Fix:
    """A position as stored on a visit: degrees to six places (about 10 cm)."""

    latitude: Decimal
    longitude: Decimal
    #: metres (radius), when the source says
    accuracy: float | None = None


def fix_of(info: QGeoPositionInfo) -> Fix | None:
    """The fix in a position update, or None when it holds no valid coordinate."""
    point = info.coordinate()
    if not info.isValid() or not point.isValid():
        return None
    accuracy_attr = QGeoPositionInfo.Attribute.HorizontalAccuracy
    accuracy = info.attribute(accuracy_attr) if info.hasAttribute(accuracy_attr) else None
    return Fix(Decimal(repr(point.latitude())).quantize(SIX_PLACES),
               Decimal(repr(point.longitude())).quantize(SIX_PLACES),
               accuracy if accuracy is not None and accuracy == accuracy else None)  # NaN: unknown


class Locator(QObject):
    """One position request at a time from a source made by `factory` (injectable for tests)."""

    #: a Fix
    located = Signal(object)
    #: why there is no position, translated
    failed = Signal(str)

    def __init__(self, factory: SourceFactory = system_source, timeout_ms: int = TIMEOUT_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.busy = False
        self.source = factory(self)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(lambda: self._error(Error.UpdateTimeoutError))
        if self.source is not None:
            self.source.positionUpdated.connect(self._position)
            self.source.errorOccurred.connect(self._error)

    @property
    def available(self) -> bool:
        return self.source is not None

    def locate(self) -> bool:
        """Ask for one position; False when there is no source or a request is under way."""
        if self.source is None or self.busy:
            return False
        self.busy = True
        self._deadline.start(self.timeout_ms + GRACE_MS)
        self.source.requestUpdate(self.timeout_ms)  # may report an error before it returns
        return True

    def _finish(self) -> bool:
        """End the request under way; False when there was none (a late or unasked answer)."""
        if not self.busy:
            return False
        self.busy = False
        self._deadline.stop()
        return True

    def _position(self, info: QGeoPositionInfo) -> None:
        fix = fix_of(info)
        if not self._finish():
            return
        if fix is None:
            self.failed.emit(_(UNKNOWN))
        else:
            self.located.emit(fix)

    def _error(self, error: QGeoPositionInfoSource.Error) -> None:
        if error == Error.NoError or not self._finish():
            return
        if error == Error.UpdateTimeoutError:
            seconds = max(1, round(self.timeout_ms / 1000))
            self.failed.emit(ngettext("The computer did not find its location within %(seconds)s second. "
                                      "Try again, or type the coordinates.",
                                      "The computer did not find its location within %(seconds)s seconds. "
                                      "Try again, or type the coordinates.", seconds) % {"seconds": seconds})
        else:
            self.failed.emit(_(MESSAGES.get(error, UNKNOWN)))
