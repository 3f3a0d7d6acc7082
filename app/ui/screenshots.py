"""``yiti demo --screenshots DIR``: every main page of every demo role in English and Chinese as
PNGs, and a report of each page's visible strings that the font in use cannot draw."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableView,
    QWidget,
)

from app.ui.qtapp import apply_language

if TYPE_CHECKING:
    from app.ui.launch import Desktop
    from app.ui.main_window import MainWindow

LOCALES = ("en", "zh_CN")
_TAG = re.compile(r"<[^>]+>")


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Run the event loop until `condition` holds (batch jobs and tests only)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)


def visible_texts(root: QWidget) -> list[tuple[QWidget, str]]:
    """The strings a user sees in `root` (labels, buttons, inputs, lists, table headers and the
    rows on screen), each with the widget that draws it."""
    found: list[tuple[QWidget, str]] = []
    widgets: Iterable[QWidget] = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisibleTo(root) and w is not root:
            continue
        if isinstance(w, QLabel):
            found.append((w, _TAG.sub("", w.text())))
        elif isinstance(w, QAbstractButton):
            found.append((w, w.text()))
        elif isinstance(w, QLineEdit):
            found += [(w, w.text()), (w, w.placeholderText())]
        elif isinstance(w, QComboBox):
            found += [(w, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QGroupBox):
            found.append((w, w.title()))
        elif isinstance(w, QListWidget):
            found += [(w, w.item(i).text()) for i in range(w.count())]
        elif isinstance(w, QTableView) and w.model() is not None:
            model = w.model()
            for c in range(model.columnCount()):
                found.append((w, str(model.headerData(c, w.horizontalHeader().orientation()) or "")))
            for r in range(min(model.rowCount(), 40)):
                for c in range(model.columnCount()):
                    value = model.index(r, c).data()
                    if isinstance(value, str):
                        found.append((w, value))
    if root.isWindow():
        found.append((root, root.windowTitle()))
    return [(w, t) for w, t in found if t and t.strip()]


def undrawable(root: QWidget) -> list[str]:
    """Characters of visible strings that the widget's font cannot draw (shown as boxes)."""
    missing: set[str] = set()
    for widget, text in visible_texts(root):
        metrics = QFontMetrics(widget.font())
        missing.update(ch for ch in text if not ch.isspace() and not metrics.inFontUcs4(ord(ch)))
    return sorted(missing)


def _grab(widget: QWidget, path: Path, report: dict[str, object]) -> Path:
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    texts = [t for _w, t in visible_texts(widget)]
    report[path.name] = {"strings": len(texts), "missing_glyphs": undrawable(widget),
                         "cjk_chars": sum(1 for t in texts for ch in t if "\u4e00" <= ch <= "\u9fff")}
    return path


def _search_and_record(desktop: Desktop, window: MainWindow, out: Path, locale: str,
                       report: dict[str, object]) -> list[Path]:
    """The global search showing 张伟 for "zw", and the record it opens."""
    from app.ui.search import GlobalSearch

    search = window.search
    assert isinstance(search, GlobalSearch)
    window.go_to("home")
    search.focus_search()
    search.edit.setText("zw")
    wait_until(lambda: search.shown_text == "zw" and not desktop.ops.busy, timeout=60)
    shots = [_grab(window, out / f"search_{locale}.png", report)]
    dialogs_before = set(QApplication.topLevelWidgets())
    search.open_row(0)
    wait_until(lambda: not desktop.ops.busy, timeout=60)
    record = next((w for w in QApplication.topLevelWidgets()
                   if w not in dialogs_before and w.objectName() == "record_dialog"), None)
    if record is not None:
        shots.append(_grab(record, out / f"record_{locale}.png", report))
        record.close()
    search.edit.clear()
    search.close_results()
    return shots


def _busiest_customer(desktop: Desktop) -> str:
    """The signed-in rep's customer with the most activities (the fullest 360 view)."""
    import sqlalchemy as sa

    from app.core.schema import metadata
    from app.sync.cache import reading

    assert desktop.ctx is not None
    party, activity = metadata.tables["party"], metadata.tables["activity"]
    me = desktop.ctx.session.identity.user_id
    with reading(desktop.ctx.session.client.db) as conn:
        return str(conn.execute(
            sa.select(activity.c.party_id).join(party, party.c.id == activity.c.party_id)
            .where(party.c.owner_id == me).group_by(activity.c.party_id)
            .order_by(sa.func.count().desc()).limit(1)).scalar_one())


def _customer_360(desktop: Desktop, window: MainWindow, out: Path, locale: str, report: dict[str, object]) -> Path:
    window.open_customer(_busiest_customer(desktop))
    wait_until(lambda: not desktop.ops.busy, timeout=60)
    QApplication.processEvents()
    wait_until(lambda: not desktop.ops.busy, timeout=60)
    shot = _grab(window, out / f"sales_rep_customer360_{locale}.png", report)
    window.go_to("home")
    return shot


def render_all(
    desktop: Desktop, server: str, tenant: str, password: str, users: Sequence[tuple[str, str, str]], out: Path
) -> list[Path]:
    """Sign in as one demo user per role, wait for the first sync, and grab every page in both
    languages; writes report.json beside the PNGs."""
    written: list[Path] = []
    report: dict[str, object] = {}
    seen_roles: set[str] = set()
    login = desktop.show_login()
    for locale in LOCALES:
        desktop._login_language(locale)
        assert desktop.login is not None
        desktop.login.resize(480, 360)
        written.append(_grab(desktop.login, out / f"login_{locale}.png", report))
    desktop.login.hide() if desktop.login is not None else login.hide()
    for username, role, _name in users:
        if role in seen_roles:
            continue
        seen_roles.add(role)
        desktop.sign_in_as(server, tenant, username, password)
        wait_until(lambda u=username: desktop.window is not None and desktop.ctx is not None  # type: ignore[misc]
                   and desktop.ctx.session.identity.username == u)
        assert desktop.ctx is not None and desktop.window is not None
        session, window = desktop.ctx.session, desktop.window
        wait_until(lambda s=session: s.last_report is not None)  # type: ignore[misc]
        window.resize(1280, 800)
        for locale in LOCALES:
            window.set_language(locale)
            for key in window.page_keys():
                window.go_to(key)
                wait_until(lambda: not desktop.ops.busy, timeout=60)
                QApplication.processEvents()
                written.append(_grab(window, out / f"{role}_{key}_{locale}.png", report))
            if role == "sales_rep":
                written += _search_and_record(desktop, window, out, locale, report)
                written.append(_customer_360(desktop, window, out, locale, report))
            if role == "admin":
                inbox = window.open_inbox()
                wait_until(lambda: not desktop.ops.busy, timeout=60)
                written.append(_grab(inbox, out / f"inbox_{locale}.png", report))
                inbox.close()
    apply_language(LOCALES[-1])
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return written
