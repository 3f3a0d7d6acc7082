"""The scan field every clerk screen starts from: a keyboard-wedge scanner types a code and Enter.

``ScanInput`` is a large line edit with the last result under it in large coloured text (green:
accepted, red: refused, with a beep). It resolves each code off the GUI thread, one at a time in
the order scanned, and tells the page what it was::

    scan = ScanInput(ctx, documents=("purchase_order",))
    scan.scanned.connect(on_scan)             # ScannedProduct | ScannedLocation | ScannedDocument
    scan.quantity_entered.connect(on_qty)      # a typed number that is no code: (Decimal, text)
    scan.escaped.connect(on_escape)            # Esc on an empty field (the page drops its current line)
    ...
    scan.accept(_("3 × M8 bolt"))             # the page's verdict, shown under the field
    scan.refuse(_("Not on this order"))        # red, beeps; the field keeps the focus

An unknown code that is not a number is refused by the field itself. ``state`` ("", "ok",
"refused") and ``message`` tell tests what the clerk sees; ``idle`` says no scan is waiting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.i18n import _
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.scan_resolve import Scanned, clean_code, resolve, typed_quantity
from app.ui.errors import error_text

OK_COLOUR = "#1b7f3b"
REFUSED_COLOUR = "#b3261e"
#: point sizes of the scan field and of the result line (readable at arm's length)
FIELD_POINTS = 22
RESULT_POINTS = 20


def big_font(widget: QWidget, points: int, bold: bool = False) -> QFont:
    """`widget`'s font at `points` (bold if asked), set on it and returned."""
    font = QFont(widget.font())
    font.setPointSize(points)
    font.setBold(bold)
    widget.setFont(font)
    return font


class ScanInput(QWidget):
    """A scan field and its result line; see the module docstring for the signals."""

    #: a code resolved: a ScannedProduct, ScannedLocation or ScannedDocument
    scanned = Signal(object)
    #: a typed number that is no code: its value and the text typed ("+3" keeps its sign)
    quantity_entered = Signal(object, str)
    #: Esc pressed on an empty field
    escaped = Signal()

    def __init__(self, ctx: AppContext, documents: Sequence[str] = (), numbers: bool = True,
                 placeholder: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.documents = tuple(documents)
        self.numbers = numbers
        self.state = ""
        self.message = ""
        self._waiting: deque[str] = deque()
        self._resolving = False
        self.field = QLineEdit()
        self.field.setObjectName("scan_field")
        self.field.setPlaceholderText(placeholder or _("Scan or type a code, then Enter"))
        self.field.setClearButtonEnabled(False)
        big_font(self.field, FIELD_POINTS)
        self.field.setMinimumHeight(self.field.fontMetrics().height() + 16)
        self.field.returnPressed.connect(self._entered)
        self.field.installEventFilter(self)
        self.result = QLabel()
        self.result.setObjectName("scan_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        big_font(self.result, RESULT_POINTS, bold=True)
        self.result.setMinimumHeight(self.result.fontMetrics().height() * 2 + 8)
        self.result.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.result)
        self.setFocusProxy(self.field)

    # --- what the page calls ------------------------------------------------------------------
    def accept(self, text: str) -> None:
        """Show an accepted scan or action in green."""
        self._show("ok", text, OK_COLOUR)

    def refuse(self, text: str) -> None:
        """Show a refusal in red and beep; the clerk's focus stays in the field."""
        self._show("refused", text, REFUSED_COLOUR)
        QApplication.beep()

    def refuse_error(self, exc: BaseException) -> None:
        """Refuse with the translated sentence of an error."""
        self.refuse(error_text(exc))

    def clear_result(self) -> None:
        self._show("", "", OK_COLOUR)

    def focus(self) -> None:
        """Put the focus back where the next scan goes."""
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def idle(self) -> bool:
        """No scan waits to be resolved (tests wait for it)."""
        return not self._resolving and not self._waiting

    # --- inside -------------------------------------------------------------------------------
    def _show(self, state: str, text: str, colour: str) -> None:
        self.state, self.message = state, text
        self.result.setStyleSheet(f"color: {colour};")
        self.result.setText(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                if self.field.text():
                    self.field.clear()
                else:
                    self.escaped.emit()
                return True
        return super().eventFilter(watched, event)

    def _entered(self) -> None:
        code = clean_code(self.field.text())
        self.field.clear()
        self.focus()
        if code:
            self._waiting.append(code)
            self._next()

    def _next(self) -> None:
        if self._resolving or not self._waiting:
            return
        code = self._waiting.popleft()
        self._resolving = True
        db, documents = self.ctx.session.client.db, self.documents

        def read() -> Scanned | None:
            with reading(db) as conn:
                return resolve(conn, code, documents)

        def done(found: Scanned | None) -> None:
            self._resolving = False
            try:
                self._resolved(code, found)
            finally:
                self._next()

        def failed(exc: BaseException) -> None:
            self._resolving = False
            self.refuse_error(exc)
            self._next()

        self.ctx.ops.read(read).success(done).failure(failed).run()

    def _resolved(self, code: str, found: Scanned | None) -> None:
        if found is not None:
            self.scanned.emit(found)
            return
        qty: Decimal | None = typed_quantity(code) if self.numbers else None
        if qty is not None:
            self.quantity_entered.emit(qty, code)
        else:
            self.refuse(_("Unknown code: %(code)s") % {"code": code})
