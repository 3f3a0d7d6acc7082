"""Table models for big lists (DESIGN §5, after Calibre's id-list models).

A model holds only the ordered list of row ids, loaded by one ``ReadOp`` with the filter and sort
done in SQL. Rows are fetched for the rows a view asks about, a block at a time, on the read pool,
and kept in an LRU cache; until a block arrives its cells show "…" and ``dataChanged`` fills them
in. ``data()`` never touches the database.

After a write, ``ops.changed`` names the rows it touched: cached rows are fetched again, ids the
list does not hold yet make it reload (removed, inserted and moved rows keep the selection), and
``Changes.everything`` reloads the whole list. A row whose sort key changed keeps its place until
the list is sorted again, so it does not jump away under the user's eyes.

Rows of one list must have one height: call :func:`configure_view` on the ``QTableView``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView
from sqlalchemy.engine import Engine

from app.core import fmt
from app.core.i18n import _
from app.sync.cache import reading
from app.ui.ops import Changes, Ops

#: rows fetched together when a view asks for one that is not cached
BLOCK_ROWS = 200
#: rows kept in the LRU cache (a few screens of a tall window, many times over)
CACHE_ROWS = 5_000
#: shown in the first cell of a row whose values are still on their way
LOADING = "…"
#: more removed/inserted runs than this and the view is reset instead of told run by run
MAX_DIFF_RUNS = 64
#: data role giving a row's id (uuid.UUID)
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: the roles every list answers (a subclass may answer more through row_role)
_ROLES = frozenset({ID_ROLE, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter

Row = dict[str, Any]
Index = QModelIndex | QPersistentModelIndex


# --- formatters: a value as the user reads it (through app.core.fmt) ----------------------------
def plain(value: Any) -> str:
    """Text as stored; numbers, dates and flags through the locale's formatter."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal | int):
        return fmt.number(value)
    if isinstance(value, dt.datetime):
        return fmt.datetime(value, style="short")
    if isinstance(value, dt.date):
        return fmt.date(value)
    return str(value)


def money(value: Any) -> str:
    return "" if value is None else fmt.money(value)


def choice(labels: Mapping[str, str]) -> Callable[[Any], str]:
    """A formatter showing the translated label (marked with N_) of a stored code."""

    def label(value: Any) -> str:
        if value is None:
            return ""
        text = labels.get(str(value))
        return _(text) if text is not None else str(value)

    return label


@dataclass(frozen=True)
class Column:
    """One column of a list, declared once: what it shows, how, and how it sorts."""

    #: the value's name in the fetched row (and the table column, unless `expr` says otherwise)
    key: str
    #: marked with N_; translated when shown
    header: str
    format: Callable[[Any], str] = plain
    align: Qt.AlignmentFlag = LEFT
    #: what to select (default: the model's table column `key`)
    expr: sa.ColumnElement[Any] | None = None
    #: what to sort by in SQL (default: `expr`); e.g. the pinyin column for a Chinese name
    sort_expr: sa.ColumnElement[Any] | None = None
    sortable: bool = True
    #: starting width in average characters
    width: int = 14


def _key(value: object) -> str:
    """Our key for a row id: the 32-hex form SQLite stores a Uuid in."""
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex


def _runs(rows: Iterable[int], limit: int | None = None) -> list[tuple[int, int]] | None:
    """Sorted row numbers as (first, last) runs of consecutive rows; None as soon as there are
    more than `limit` runs (the rest is not looked at)."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and found[-1][1] == row - 1:
            found[-1] = (found[-1][0], row)
        elif limit is not None and len(found) >= limit:
            return None
        else:
            found.append((row, row))
    return found


class IdListTableModel(QAbstractTableModel):
    """A list of the rows of `table` matching `where`, sorted in SQL, fetched as viewed."""

    #: the id list (re)loaded: row count and order are current
    ids_loaded = Signal()
    #: rows arrived and were shown (tests and busy indicators)
    rows_loaded = Signal()

    def __init__(
        self,
        ops: Ops,
        db: Engine,
        table: sa.Table,
        columns: Sequence[Column],
        *,
        where: Sequence[sa.ColumnElement[bool]] = (),
        sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder),
        depends_on: Sequence[str] = (),
        block_rows: int = BLOCK_ROWS,
        cache_rows: int = CACHE_ROWS,
        first_rows: int = 0,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.db = db
        self.table = table
        self.columns = list(columns)
        #: other tables whose changes alter what the rows show (a joined owner name): reload
        self.depends_on = tuple(depends_on)
        self._where = list(where)
        self._sort = sort
        self._block = block_rows
        self._cache_rows = max(cache_rows, block_rows * 2)
        #: rows at the top of the list read with the id list itself (a list a view shows at once
        #: then paints once, not twice with a second read between: the customer list)
        self._first_rows = min(first_rows, self._cache_rows)
        #: whether a subclass answers more roles of its rows (row_role)
        self._row_roles = type(self).row_role is not IdListTableModel.row_role
        self._raw_id = sa.type_coerce(table.c.id, sa.String())
        self._ids: list[str] = []
        self._row_of: dict[str, int] | None = {}
        self._rows: OrderedDict[str, Row] = OrderedDict()
        self._pending: dict[str, int] = {}  # id → number of the latest fetch asking for it
        self._requests = itertools.count(1)
        self._list_request = 0
        self._loaded = False
        ops.changed.connect(self._on_changed)

    # --- what subclasses may refine -------------------------------------------------------------
    def from_clause(self) -> sa.FromClause:
        """The FROM of both queries; a join must not repeat a row of `table`."""
        return self.table

    def row_role(self, row: Mapping[str, Any], column: int, role: int) -> Any:
        """Extra roles of a loaded row (a grey foreground for disabled rows, say)."""
        return None

    # --- Qt's model interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].header)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.columns[section].align
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES and not self._row_roles:  # most of what a delegate asks, for every cell
            return None
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        key = self._ids[index.row()]
        column = self.columns[index.column()]
        if role == ID_ROLE:
            return uuid.UUID(key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._cached(key, index.row())
            if row is None:
                return LOADING if index.column() == 0 else ""
            return column.format(row.get(column.key))
        loaded = self._rows.get(key)
        return None if loaded is None else self.row_role(loaded, index.column(), role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL: the id list loads again in the new order (rows stay cached)."""
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        if (column, order) != self._sort:
            self._sort = (column, order)
            self.reload(keep_rows=True)

    # --- public API -----------------------------------------------------------------------------
    @property
    def sort_column(self) -> int:
        return self._sort[0]

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort[1]

    @property
    def loaded(self) -> bool:
        return self._loaded

    def set_where(self, *clauses: sa.ColumnElement[bool]) -> None:
        """A new filter (SQL conditions on the FROM); the id list loads again."""
        self._where = list(clauses)
        self.reload(keep_rows=True)

    @property
    def cached_rows(self) -> int:
        """How many rows the LRU cache holds now."""
        return len(self._rows)

    def id_at(self, row: int) -> uuid.UUID:
        return uuid.UUID(self._ids[row])

    def row_of(self, row_id: uuid.UUID | str) -> int | None:
        """The row showing `row_id`, if the list holds it."""
        return self._index().get(_key(row_id))

    def row_data(self, row: int) -> Row | None:
        """The fetched values of `row` (None until its block arrived)."""
        if not 0 <= row < len(self._ids):
            return None
        return self._rows.get(self._ids[row])

    def reload(self, keep_rows: bool = False) -> None:
        """Load the id list again; unless `keep_rows`, the cached rows are fetched again too."""
        number = next(self._requests)
        self._list_request = number
        query = self._ids_query()
        if not self._first_rows:
            self.ops.read(lambda: self._read_ids(query)).success(
                lambda ids: self._ids_arrived(number, ids, keep_rows)
            ).run()
            return
        cached, where = frozenset(self._rows) if keep_rows else frozenset(), list(self._where)

        def read() -> tuple[list[str], dict[str, Row]]:
            ids = self._read_ids(query)
            top = [k for k in ids[:self._first_rows] if k not in cached]
            return ids, self._read_rows(self._rows_query(top, where)) if top else {}

        self.ops.read(read).success(lambda got: self._ids_arrived(number, got[0], keep_rows, got[1])).run()

    def refresh_rows(self, ids: Iterable[object]) -> None:
        """Show the current values of these rows: cached ones are fetched again (a row that no
        longer matches the filter leaves the list); an id the list lacks reloads the list."""
        keys = {_key(i) for i in ids}
        index = self._index()
        stale = [k for k in keys if k in self._rows or k in self._pending]
        for k in stale:
            self._rows.pop(k, None)
        for start in range(0, len(stale), self._block):
            self._fetch(stale[start:start + self._block])
        if any(k not in index for k in keys):
            self.reload(keep_rows=True)

    # --- queries (built on the GUI thread, run on the read pool) --------------------------------
    def _exprs(self) -> list[sa.ColumnElement[Any]]:
        return [(c.expr if c.expr is not None else self.table.c[c.key]).label(c.key) for c in self.columns]

    def _ids_query(self) -> sa.Select[Any]:
        column, order = self._sort
        spec = self.columns[column] if 0 <= column < len(self.columns) else None
        key: sa.ColumnElement[Any] | None = None
        if spec is not None:
            key = spec.sort_expr if spec.sort_expr is not None else (
                spec.expr if spec.expr is not None else self.table.c[spec.key])
        descending = order == Qt.SortOrder.DescendingOrder
        ordering = [] if key is None else [key.desc() if descending else key.asc()]
        ordering.append(self._raw_id.desc() if descending else self._raw_id.asc())  # ties: stable
        return sa.select(self._raw_id).select_from(self.from_clause()).where(*self._where).order_by(*ordering)

    def _rows_query(self, keys: list[str], where: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
        return (sa.select(self._raw_id.label("_key"), *self._exprs()).select_from(self.from_clause())
                .where(self._raw_id.in_(keys), *where))

    def _read_ids(self, query: sa.Select[Any]) -> list[str]:
        with reading(self.db) as conn:
            # straight from the driver's cursor: the ids need no processing, and a Row object for
            # each of 100k ids costs more than the query itself
            result = conn.execute(query)
            try:
                return [key for (key,) in result.cursor.fetchall()]
            finally:
                result.close()

    def _read_rows(self, query: sa.Select[Any]) -> dict[str, Row]:
        with reading(self.db) as conn:
            return {r["_key"]: dict(r) for r in conn.execute(query).mappings()}

    # --- rows ------------------------------------------------------------------------------------
    def _cached(self, key: str, row: int) -> Row | None:
        found = self._rows.get(key)
        if found is not None:
            self._rows.move_to_end(key)
            return found
        if key not in self._pending:
            start = row - row % self._block
            self._fetch([k for k in self._ids[start:start + self._block]
                         if k not in self._rows and k not in self._pending], start)
        return None

    def _fetch(self, keys: list[str], start: int | None = None) -> None:
        """Fetch these rows; `start`: where their block begins in the list (so their arrival
        need not index a list of 100k ids to find them)."""
        if not keys:
            return
        number = next(self._requests)
        for k in keys:
            self._pending[k] = number
        query = self._rows_query(keys, self._where)
        self.ops.read(lambda: self._read_rows(query)).success(
            lambda found: self._rows_arrived(number, keys, found, start)
        ).run()

    def _rows_arrived(self, number: int, keys: list[str], found: dict[str, Row], start: int | None = None) -> None:
        mine = [k for k in keys if self._pending.get(k) == number]  # a later fetch or reload wins
        for k in mine:
            del self._pending[k]
            if k in found:
                self._rows[k] = found[k]
                self._rows.move_to_end(k)
        while len(self._rows) > self._cache_rows:
            self._rows.popitem(last=False)
        shown = sorted(self._rows_of([k for k in mine if k in found], start))
        if shown:
            self.dataChanged.emit(self.index(shown[0], 0), self.index(shown[-1], len(self.columns) - 1))
        gone = {k for k in mine if k not in found}  # deleted, or no longer matching the filter
        if gone:
            self._apply_ids([k for k in self._ids if k not in gone])
        if mine:
            self.rows_loaded.emit()

    # --- the id list ----------------------------------------------------------------------------
    def _rows_of(self, keys: list[str], start: int | None) -> list[int]:
        """The rows showing these keys: looked for in their block when it is still in place,
        else through the index of the whole list."""
        if start is not None:
            block = {k: start + i for i, k in enumerate(self._ids[start:start + self._block])}
            if all(k in block for k in keys):
                return [block[k] for k in keys]
        index = self._index()
        return [index[k] for k in keys if k in index]

    def _index(self) -> dict[str, int]:
        if self._row_of is None:
            self._row_of = {k: i for i, k in enumerate(self._ids)}
        return self._row_of

    def _ids_arrived(self, number: int, ids: list[str], keep_rows: bool, rows: dict[str, Row] | None = None) -> None:
        if number != self._list_request:
            return  # a newer load is on its way
        if not keep_rows:
            self._rows.clear()
            self._pending.clear()
        for k, row in (rows or {}).items():  # read with the ids: newer than any fetch on its way
            self._pending.pop(k, None)
            self._rows[k] = row
            self._rows.move_to_end(k)
        while len(self._rows) > self._cache_rows:
            self._rows.popitem(last=False)
        first = not self._loaded
        self._loaded = True
        self._apply_ids(ids, reset=first)
        if rows and keep_rows and self._ids:  # rows the view kept may show "…" still
            last = min(self._first_rows, len(self._ids)) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, len(self.columns) - 1))
        if not keep_rows and self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1))
        self.ids_loaded.emit()

    def _apply_ids(self, new: list[str], reset: bool = False) -> None:
        """Move from the shown id list to `new` with the signals a view needs to keep its
        selection: removed runs, a layout change for the survivors' new order, inserted runs."""
        old = self._ids
        if new == old:
            return
        removed = inserted = None
        old_set: set[str] = set()
        if not reset and old:  # a big list's diff costs more than the view's reset it would spare
            new_set = set(new)
            removed = _runs((i for i, k in enumerate(old) if k not in new_set), MAX_DIFF_RUNS)
            if removed is not None:
                old_set = set(old)
                inserted = _runs((i for i, k in enumerate(new) if k not in old_set), MAX_DIFF_RUNS - len(removed))
        if removed is None or inserted is None:
            self.beginResetModel()
            self._ids, self._row_of = list(new), None
            self.endResetModel()
            return
        for first, last in reversed(removed):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first:last + 1]
            self._row_of = None
            self.endRemoveRows()
        survivors = [k for k in new if k in old_set]
        if survivors != self._ids:
            self._reorder(survivors)
        for first, last in inserted:  # ascending: every row before `first` is in place already
            self.beginInsertRows(QModelIndex(), first, last)
            self._ids[first:first] = new[first:last + 1]
            self._row_of = None
            self.endInsertRows()

    def _reorder(self, order: list[str]) -> None:
        self.layoutAboutToBeChanged.emit()
        position = {k: i for i, k in enumerate(order)}
        before = self.persistentIndexList()
        after = []
        for index in before:
            row = position.get(self._ids[index.row()]) if index.row() < len(self._ids) else None
            after.append(QModelIndex() if row is None else self.createIndex(row, index.column()))
        self._ids, self._row_of = list(order), None
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _on_changed(self, changes: Changes) -> None:
        if changes.everything or (self.depends_on and changes.touches(*self.depends_on)):
            self.reload()
        elif self.table.name in changes.rows:
            self.refresh_rows(changes.ids(self.table.name))


def configure_view(view: QTableView, model: IdListTableModel | None = None) -> None:
    """Set a table view up for a big list: one fixed row height (no per-row measuring), no word
    wrap, whole-row selection, columns as wide as declared, sorting by header click in SQL."""
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
    rows.hide()
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if model is None:
        return
    view.setModel(model)
    char = view.fontMetrics().averageCharWidth()
    for number, column in enumerate(model.columns):
        view.setColumnWidth(number, column.width * char + 16)
    header.setSortIndicator(model.sort_column, model.sort_order)  # before enabling: no stray sort
    view.setSortingEnabled(True)
