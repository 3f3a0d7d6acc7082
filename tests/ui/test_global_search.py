"""The global search box and the record summary over a real cache and a real AppContext (offline:
the session is never started, nothing listens at the server address)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.sync import SyncClient
from app.ui.context import AppContext
from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.record import RecordDialog
from app.ui.search import GlobalSearch
from app.ui.session import Session

NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    http = httpx.Client(base_url=NOWHERE)
    client = SyncClient.open(tmp_path / "cache.sqlite", NOWHERE, "acme", http=http)
    ops = Ops()
    session = Session(client, ops, online=False)
    context = AppContext(session, ops, Prefs(tmp_path / "prefs.json"))
    yield context
    ops.wait()
    session.close()
    http.close()


@pytest.fixture
def people(ctx: AppContext) -> dict[str, str]:
    client = ctx.session.client
    shop, zhang, smith = (str(uuid.uuid4()) for _ in range(3))
    client.mutate("crm.customer.create", {"id": shop, "name": "上海华联超市", "phone": "021-6543 2100", "city": "上海",
                                          "credit_limit": "50000.00", "status": "active"})
    client.mutate("crm.contact.create", {"id": zhang, "party_id": shop, "name": "张伟", "phone": "139 0000 1111"})
    client.mutate("crm.contact.create", {"id": smith, "party_id": shop, "name": "John Smith"})
    client.mutate("crm.activity.log", {"id": str(uuid.uuid4()), "party_id": shop, "kind": "visit",
                                       "subject": "季度回访", "occurred_at": dt.datetime(2026, 5, 4, 2, tzinfo=dt.UTC)})
    client.mutate("crm.customer.create", {"id": str(uuid.uuid4()), "name": "张伟装饰"})
    return {"shop": shop, "zhang": zhang, "smith": smith}


@pytest.fixture
def box(qtbot, ctx: AppContext) -> GlobalSearch:
    widget = GlobalSearch(ctx)
    qtbot.addWidget(widget)
    widget.resize(520, 40)
    widget.show()
    return widget


def test_typing_zw_shows_zhang_wei_first(qtbot, box: GlobalSearch, people: dict[str, str]) -> None:
    box.focus_search()
    qtbot.keyClicks(box.edit, "zw")
    qtbot.waitUntil(lambda: box.model.rowCount() > 0, timeout=5000)
    assert box.results_open()
    assert box.model.hits[0].title == "张伟"
    assert [h.title for h in box.model.hits] == ["张伟", "张伟装饰"]


def test_enter_emits_record_chosen_and_opens_the_record(qtbot, box: GlobalSearch, ctx: AppContext,
                                                        people: dict[str, str]) -> None:
    opened: list[tuple[str, str]] = []
    ctx.actions["open_record"] = lambda kind, row_id: opened.append((kind, row_id))
    qtbot.keyClicks(box.edit, "zw")
    qtbot.waitUntil(lambda: box.model.rowCount() == 2, timeout=5000)
    with qtbot.waitSignal(box.record_chosen, timeout=5000) as chosen:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert chosen.args == ["contact", people["zhang"]]
    assert opened == [("contact", people["zhang"])]
    assert not box.results_open()


def test_down_then_enter_opens_the_second_hit(qtbot, box: GlobalSearch, people: dict[str, str]) -> None:
    qtbot.keyClicks(box.edit, "zw")
    qtbot.waitUntil(lambda: box.model.rowCount() == 2, timeout=5000)
    qtbot.keyClick(box.edit, Qt.Key.Key_Down)
    assert box.current_row() == 1
    qtbot.keyClick(box.edit, Qt.Key.Key_Up)
    qtbot.keyClick(box.edit, Qt.Key.Key_Down)
    with qtbot.waitSignal(box.record_chosen, timeout=5000) as chosen:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert chosen.args[0] == "customer"


def test_escape_closes_the_results(qtbot, box: GlobalSearch, people: dict[str, str]) -> None:
    qtbot.keyClicks(box.edit, "zw")
    qtbot.waitUntil(box.results_open, timeout=5000)
    qtbot.keyClick(box.edit, Qt.Key.Key_Escape)
    assert not box.results_open()


def test_chinese_text_finds_the_customer_and_nothing_says_no_matches(qtbot, box: GlobalSearch,
                                                                     people: dict[str, str]) -> None:
    box.edit.setText("华联")
    qtbot.waitUntil(lambda: box.shown_text == "华联", timeout=5000)
    assert [h.title for h in box.model.hits] == ["上海华联超市"]
    box.edit.setText("qqqqqq")
    qtbot.waitUntil(lambda: box.shown_text == "qqqqqq", timeout=5000)
    assert box.model.rowCount() == 0
    assert box.panel.message.text() == "No matches"
    assert box.results_open()


def test_an_answer_to_an_older_query_is_dropped(qtbot, box: GlobalSearch, people: dict[str, str]) -> None:
    shown: list[list[str]] = []
    box.model.modelReset.connect(lambda: shown.append([h.title for h in box.model.hits]))
    box.edit.setText("华联")
    box._run_query()  # an answer for 华联 is on its way...
    box.edit.setText("john")  # ...when the user types on
    qtbot.waitUntil(lambda: box.shown_text == "john", timeout=5000)
    box.ctx.ops.wait()
    qtbot.wait(50)
    assert shown == [["John Smith"]]


def test_the_hits_model_passes_the_model_tester(qtmodeltester, box: GlobalSearch, qtbot,
                                                people: dict[str, str]) -> None:
    qtbot.keyClicks(box.edit, "zw")
    qtbot.waitUntil(lambda: box.model.rowCount() == 2, timeout=5000)
    qtmodeltester.check(box.model)


def test_the_customer_summary_shows_its_contacts_and_activities(qtbot, ctx: AppContext,
                                                                people: dict[str, str]) -> None:
    dialog = RecordDialog(ctx, "customer", people["shop"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=5000)
    texts = dialog.texts()
    assert "张伟" in texts and "John Smith" in texts
    assert "季度回访" in texts
    assert "CN¥50,000.00" in texts
    assert "Active" in texts


def test_the_contact_summary_leads_to_its_customer(qtbot, ctx: AppContext, people: dict[str, str]) -> None:
    opened: list[tuple[str, str]] = []
    ctx.actions["open_record"] = lambda kind, row_id: opened.append((kind, row_id))
    dialog = RecordDialog(ctx, "contact", people["zhang"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=5000)
    assert "上海华联超市" in dialog.texts()
    button = dialog.findChild(QPushButton, "record_related")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened == [("customer", people["shop"])]


def test_the_product_summary_shows_stock_per_location(qtbot, ctx: AppContext) -> None:
    client = ctx.session.client
    product, main, supplier = (str(uuid.uuid4()) for _ in range(3))
    client.mutate("erp.product.create", {"id": product, "sku": "HG-001", "name": "火锅底料", "list_price": "12.5"})
    client.mutate("erp.location.create", {"id": main, "code": "WH1", "name": "主仓库"})
    client.mutate("erp.location.create", {"id": supplier, "code": "SUP", "name": "供应商", "kind": "supplier"})
    client.mutate("erp.stock.move", {"id": str(uuid.uuid4()), "product_id": product, "qty": "40",
                                     "from_location_id": supplier, "to_location_id": main, "kind": "receipt",
                                     "moved_at": dt.datetime(2026, 5, 4, tzinfo=dt.UTC).isoformat()})
    dialog = RecordDialog(ctx, "product", product)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=5000)
    texts = dialog.texts()
    assert "WH1" in texts and "主仓库" in texts and "40" in texts
    assert "SUP" not in texts  # only internal locations hold stock


def test_an_archived_record_says_it_is_gone(qtbot, ctx: AppContext, people: dict[str, str]) -> None:
    ctx.session.client.mutate("crm.customer.archive", {"id": people["shop"]})
    dialog = RecordDialog(ctx, "customer", people["shop"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "no longer" in dialog.status.text(), timeout=5000)
    assert dialog.view is None
