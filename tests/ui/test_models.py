"""The id-list table model over a real SQLite cache with thousands of customers: Qt's model
tester, rows fetched off the GUI thread, precise refresh after writes, and sorting in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView
from sqlalchemy.engine import Engine

from app.core.i18n import N_
from app.core.schema import party, utcnow
from app.sync import cache
from app.ui.models import LOADING, RIGHT, Column, IdListTableModel, configure_view, money
from app.ui.ops import Changes, Ops

CUSTOMERS = 3_000


def _party(i: int, **values) -> dict:
    now = utcnow()
    return {"id": uuid.uuid4(), "created_at": now, "updated_at": now, "name": f"客户{i:05d}",
            "name_pinyin": f"kehu{i:05d}", "city": "上海" if i % 2 else "杭州",
            "credit_limit": Decimal(i * 7 % 1000) + Decimal("0.50"), **values}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = cache.open_cache(tmp_path / "cache.sqlite")
    with engine.begin() as conn:
        conn.execute(sa.insert(party), [_party(i) for i in range(CUSTOMERS)])
        conn.execute(sa.insert(party), [_party(CUSTOMERS + i, archived=True) for i in range(5)])
    yield engine
    engine.dispose()


@pytest.fixture
def ops(qapp) -> Iterator[Ops]:
    workers = Ops()
    yield workers
    workers.wait()


def _model(ops: Ops, db: Engine, **kw) -> IdListTableModel:
    return IdListTableModel(ops, db, party, [
        Column("name", N_("Name"), sort_expr=party.c.name_pinyin),
        Column("city", N_("City")),
        Column("credit_limit", N_("Credit limit"), format=money, align=RIGHT),
    ], where=[party.c.archived.is_(False)], **kw)


def _loaded(qtbot, model: IdListTableModel) -> IdListTableModel:
    with qtbot.waitSignal(model.ids_loaded, timeout=10_000):
        model.reload()
    return model


def _shown(qtbot, model: IdListTableModel, row: int, column: int = 0) -> str:
    """The cell's text once its block has arrived."""
    model.data(model.index(row, column))
    qtbot.waitUntil(lambda: model.row_data(row) is not None, timeout=10_000)
    return model.data(model.index(row, column))


def _server_order(db: Engine, order_by) -> list[str]:
    with cache.reading(db) as conn:
        return [str(i) for i in conn.execute(sa.select(party.c.id).where(party.c.archived.is_(False))
                                             .order_by(*order_by)).scalars()]


def _rename(db: Engine, row_id: uuid.UUID, name: str, **values) -> Changes:
    with db.begin() as conn:
        conn.execute(sa.update(party).where(party.c.id == row_id).values(name=name, **values))
    return Changes().add("party", row_id)


def test_the_model_passes_qt_model_tester_while_rows_load_refresh_sort_and_leave(qtbot, qtmodeltester, ops, db):
    model = _loaded(qtbot, _model(ops, db))
    assert model.rowCount() == CUSTOMERS

    qtmodeltester.check(model)  # stays attached: every later signal is checked too
    _shown(qtbot, model, 0)
    with qtbot.waitSignal(model.ids_loaded):
        model.sort(2, Qt.SortOrder.DescendingOrder)
    _shown(qtbot, model, 0)
    first = model.id_at(0)
    ops.write(lambda: _rename(db, first, "改名的客户", archived=True)).run()
    qtbot.waitUntil(lambda: model.rowCount() == CUSTOMERS - 1, timeout=10_000)
    assert model.row_of(first) is None


def test_a_row_shows_a_placeholder_until_its_block_arrives_off_the_gui_thread(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db, block_rows=100))
    far = 2_345

    with qtbot.waitSignal(model.dataChanged, timeout=10_000) as changed:
        assert model.data(model.index(far, 0)) == LOADING
        assert model.data(model.index(far, 1)) == ""
    top, bottom = changed.args[0], changed.args[1]
    assert (top.row(), bottom.row()) == (2_300, 2_399), "exactly the block holding the row"
    assert model.data(model.index(far, 0)) == f"客户{far:05d}"
    assert model.row_data(0) is None, "rows nobody looked at were not read"


def test_refresh_rows_after_a_write_redraws_only_that_row(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db))
    _shown(qtbot, model, 0)
    target = model.id_at(7)
    neighbour = model.data(model.index(8, 0))

    with qtbot.waitSignal(model.dataChanged, timeout=10_000) as changed:
        ops.write(lambda: _rename(db, target, "客户00007（新名）", credit_limit=Decimal("88.00"))).run()

    assert (changed.args[0].row(), changed.args[1].row()) == (7, 7)
    assert model.data(model.index(7, 0)) == "客户00007（新名）"
    assert model.data(model.index(7, 2)).endswith("88.00")
    assert model.data(model.index(8, 0)) == neighbour
    assert model.rowCount() == CUSTOMERS


def test_a_new_row_appears_in_its_sorted_place_and_the_selection_follows_its_row(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db))
    view = QTableView()
    qtbot.addWidget(view)
    configure_view(view, model)
    selected = model.id_at(100)
    flags = QItemSelectionModel.SelectionFlag
    view.selectionModel().select(model.index(100, 0), flags.ClearAndSelect | flags.Rows)
    newcomer = _party(0, name="客户00009½", name_pinyin="kehu00009x")

    with db.begin() as conn:
        conn.execute(sa.insert(party).values(**newcomer))
    with qtbot.waitSignal(model.ids_loaded, timeout=10_000):
        model.refresh_rows([newcomer["id"]])

    assert model.rowCount() == CUSTOMERS + 1
    assert model.id_at(10) == newcomer["id"], "after kehu00009, before kehu00010"
    [still] = view.selectionModel().selectedRows()
    assert model.id_at(still.row()) == selected and still.row() == 101


def test_sorting_by_a_column_orders_the_ids_in_sql_and_keeps_the_selected_row(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db))
    assert [str(model.id_at(r)) for r in range(model.rowCount())] == _server_order(db, [party.c.name_pinyin])
    keep = QPersistentModelIndex(model.index(42, 0))
    kept_id = model.id_at(42)

    with qtbot.waitSignal(model.ids_loaded, timeout=10_000):
        model.sort(2, Qt.SortOrder.DescendingOrder)

    expected = _server_order(db, [party.c.credit_limit.desc(), party.c.id.desc()])
    assert [str(model.id_at(r)) for r in range(model.rowCount())] == expected
    assert keep.isValid() and model.id_at(keep.row()) == kept_id
    assert _shown(qtbot, model, 0, 2) == money(Decimal("999.50"))


def test_everything_changed_reloads_the_list_and_its_rows(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db))
    _shown(qtbot, model, 0)
    first = model.id_at(0)
    with db.begin() as conn:
        conn.execute(sa.update(party).where(party.c.id == first).values(city="北京"))
        conn.execute(sa.insert(party), [_party(CUSTOMERS + 10 + i) for i in range(3)])

    with qtbot.waitSignal(model.ids_loaded, timeout=10_000):
        ops.changed.emit(Changes(everything=True))

    assert model.rowCount() == CUSTOMERS + 3
    assert _shown(qtbot, model, 0, 1) == "北京"


def test_the_row_cache_stays_bounded_while_scrolling_through_every_row(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db, block_rows=100, cache_rows=300))
    for row in range(0, CUSTOMERS, 100):
        _shown(qtbot, model, row)
        assert model.cached_rows <= 300
    assert model.row_data(0) is None, "the oldest blocks were evicted"
    assert _shown(qtbot, model, 0) == "客户00000", "and come back when looked at again"


def test_configure_view_gives_every_row_one_fixed_height_and_sorts_by_header(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db))
    view = QTableView()
    qtbot.addWidget(view)

    configure_view(view, model)

    rows = view.verticalHeader()
    assert rows.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert {rows.sectionSize(r) for r in (0, 1_000, CUSTOMERS - 1)} == {rows.defaultSectionSize()}
    assert view.isSortingEnabled() and not view.wordWrap()
    assert view.horizontalHeader().sortIndicatorSection() == model.sort_column == 0
    with qtbot.waitSignal(model.ids_loaded, timeout=10_000):
        view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _shown(qtbot, model, 0) == f"客户{CUSTOMERS - 1:05d}"


def test_a_change_in_a_table_the_rows_depend_on_reloads_the_list(qtbot, ops, db):
    model = _loaded(qtbot, _model(ops, db, depends_on=("app_user",)))
    _shown(qtbot, model, 0)
    with db.begin() as conn:
        conn.execute(sa.update(party).where(party.c.id == model.id_at(0)).values(city="深圳"))

    with qtbot.waitSignal(model.ids_loaded, timeout=10_000):
        ops.changed.emit(Changes().add("app_user", uuid.uuid4()))

    assert _shown(qtbot, model, 0, 1) == "深圳", "cached rows were read again"
