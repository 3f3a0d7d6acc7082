"""The client's SQLite cache: one file per tenant and user, made and migrated by a ladder of
``PRAGMA user_version`` steps (DESIGN §4, §5).

It holds every synced table (never the server's own tables) and the local sync tables:
``sync_state`` (client id, cursor, who is signed in), ``outbox`` (queued mutations, dense ids
from 1), ``shadow`` (the server's version of every row a queued mutation touched, for rebase),
``conflict`` (the conflict inbox) and ``rejected`` (mutations the server refused, with reasons).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pypinyin import Style, lazy_pinyin
from sqlalchemy.engine import Connection, Engine

from app.core.schema import SYNCED_TABLES, metadata

#: seconds a writer waits for another one (the sync thread, the UI's writer) before giving up
BUSY_TIMEOUT_MS = 10_000


def _v1_base(conn: Connection) -> None:
    """Synced tables, sync state, outbox and shadow."""
    metadata.create_all(conn, tables=[metadata.tables[n] for n in SYNCED_TABLES])
    conn.exec_driver_sql("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)")
    conn.exec_driver_sql(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, "
        "args TEXT NOT NULL, args_hash TEXT NOT NULL, created_at TEXT NOT NULL, "
        "state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done')), "
        "checkpoint INTEGER, result TEXT)"
    )
    conn.exec_driver_sql(
        "CREATE TABLE shadow (tbl TEXT NOT NULL, row_id TEXT NOT NULL, base TEXT, PRIMARY KEY (tbl, row_id))"
    )


def _v2_inboxes(conn: Connection) -> None:
    """Conflict inbox, rejected mutations, and which rows each queued mutation touched."""
    conn.exec_driver_sql("ALTER TABLE outbox ADD COLUMN touched TEXT NOT NULL DEFAULT '[]'")
    conn.exec_driver_sql(
        "CREATE TABLE conflict (id INTEGER PRIMARY KEY, mutation_id INTEGER, tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, field TEXT NOT NULL, base TEXT, mine TEXT, theirs TEXT, "
        "created_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT)"
    )
    conn.exec_driver_sql(
        "CREATE TABLE rejected (id INTEGER PRIMARY KEY, mutation_id INTEGER NOT NULL, name TEXT NOT NULL, "
        "version INTEGER NOT NULL, args TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, "
        "field TEXT, created_at TEXT NOT NULL, dismissed_at TEXT)"
    )
    conn.exec_driver_sql("CREATE INDEX ix_conflict_open ON conflict (resolved_at)")


def _v3_search(conn: Connection) -> None:
    """The global search index (DESIGN §5), kept current by triggers on every write.

    ``search_source`` (a view) gives the searched keys of every live customer, supplier, contact
    and product; ``search_entry`` stores them and ``search_fts`` (FTS5, trigram) indexes them.
    Trigrams find substrings of 3+ characters; shorter queries use two tricks: every key starts
    with ``^^`` (so "zw" is the trigram phrase "^^zw", a prefix), and a Chinese name is spelled one
    character at a time ("^^ 上 海 华 联 ", so "华联" is the trigram "华 联" and "张" is " 张 ").
    Initials and pinyin a synced row lacks come from ``search_pinyin`` (one row per Chinese
    character) in plain SQL, because a trigger cannot call Python. ``search_state.paused`` stops
    the triggers while a snapshot is written; `reindex_search` then fills the index in bulk.
    """
    conn.exec_driver_sql("CREATE TABLE search_seq (n INTEGER PRIMARY KEY)")
    conn.exec_driver_sql("INSERT INTO search_seq (n) VALUES (?)", [(n,) for n in range(1, _SEARCH_MAX_CHARS + 1)])
    conn.exec_driver_sql(
        "CREATE TABLE search_pinyin (ch TEXT PRIMARY KEY, syllable TEXT NOT NULL, initial TEXT NOT NULL) WITHOUT ROWID"
    )
    conn.exec_driver_sql("INSERT INTO search_pinyin (ch, syllable, initial) VALUES (?, ?, ?)", _chinese_syllables())
    conn.exec_driver_sql("CREATE TABLE search_state (paused INTEGER NOT NULL)")
    conn.exec_driver_sql("INSERT INTO search_state (paused) VALUES (0)")
    keys = ", ".join(_SEARCH_KEYS)
    conn.exec_driver_sql(
        f"CREATE TABLE search_entry (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, row_id TEXT NOT NULL UNIQUE, {keys})"
    )
    conn.exec_driver_sql("CREATE VIEW search_source AS " + " UNION ALL ".join(
        f"SELECT {kind}, r.id AS row_id, "
        + ", ".join(f"{_search_value(key, columns.get(key))} AS {key}" for key in _SEARCH_KEYS)
        + f" FROM {table} AS r WHERE NOT r.archived"
        for table, (kind, columns, _watched) in _SEARCHED.items()
    ))
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({keys}, content='search_entry', content_rowid='id', "
        "tokenize='trigram', columnsize=0)"
    )
    live = "WHEN (SELECT paused FROM search_state) = 0"
    conn.exec_driver_sql(
        f"CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry {live} BEGIN "
        f"INSERT INTO search_fts (rowid, {keys}) VALUES (NEW.id, {', '.join(f'NEW.{k}' for k in _SEARCH_KEYS)}); END"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry {live} BEGIN "
        f"INSERT INTO search_fts (search_fts, rowid, {keys}) "
        f"VALUES ('delete', OLD.id, {', '.join(f'OLD.{k}' for k in _SEARCH_KEYS)}); END"
    )
    # INSERT OR REPLACE (pulled rows) fires no delete trigger: the insert trigger replaces too. An
    # entry whose keys did not change stays (most pulled rows changed something else: no FTS work)
    same = " AND ".join(f"s.{k} IS search_entry.{k}" for k in ("kind", *_SEARCH_KEYS))
    put = (f"DELETE FROM search_entry WHERE row_id = NEW.id AND NOT EXISTS "
           f"(SELECT 1 FROM search_source AS s WHERE s.row_id = NEW.id AND {same}); "
           "INSERT INTO search_entry SELECT NULL, * FROM search_source WHERE row_id = NEW.id "
           "AND NOT EXISTS (SELECT 1 FROM search_entry WHERE row_id = NEW.id);")
    for table, (_kind, _columns, watched) in _SEARCHED.items():
        conn.exec_driver_sql(f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} {live} BEGIN {put} END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER search_{table}_au AFTER UPDATE OF {', '.join(watched)} ON {table} {live} BEGIN {put} END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} {live} BEGIN "
            "DELETE FROM search_entry WHERE row_id = OLD.id; END"
        )
    conn.exec_driver_sql("INSERT INTO search_entry SELECT NULL, * FROM search_source")
    conn.exec_driver_sql("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")


#: the longest name the search index spells out character by character
_SEARCH_MAX_CHARS = 400
#: the searched keys (columns of search_source, search_entry and search_fts)
_SEARCH_KEYS = ("name", "pinyin", "initials", "code", "phone", "email", "city")
#: a Chinese character (CJK Unified Ideographs and Extension A) as a GLOB class
_HAN = "[\u3400-\u9fff]"
#: table → (kind, key → its column, columns whose update re-indexes the row)
_SEARCHED: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "party": (
        "CASE WHEN r.is_customer THEN 'customer' WHEN r.is_supplier THEN 'supplier' ELSE 'customer' END AS kind",
        {"pinyin": "name_pinyin", "initials": "name_initials", "code": "code", "phone": "phone", "email": "email",
         "city": "city"},
        ("name", "name_pinyin", "name_initials", "code", "phone", "email", "city", "archived", "is_customer",
         "is_supplier"),
    ),
    "contact": (
        "'contact'", {"pinyin": "name_pinyin", "phone": "phone", "email": "email"},
        ("name", "name_pinyin", "phone", "email", "archived"),
    ),
    "product": ("'product'", {"pinyin": "name_pinyin", "code": "sku"}, ("name", "name_pinyin", "sku", "archived")),
}


def _search_value(key: str, column: str | None) -> str:
    """SQL for one searched key of row `r` (see `_v3_search`)."""
    char = "substr(r.name, n, 1)"
    has_han = f"r.name GLOB '*{_HAN}*'"

    def spelled(of: str, sep: str) -> str:  # `of` each character of the name, in order, joined
        return (f"(SELECT group_concat(x, '{sep}') FROM (SELECT {of} AS x FROM search_seq "
                f"WHERE n <= length(r.name) ORDER BY n))")

    if key == "name":
        return f"CASE WHEN {has_han} THEN '^^ ' || {spelled(char, ' ')} || ' ' ELSE '^^' || r.name END"
    if key in ("pinyin", "initials"):
        part = "syllable" if key == "pinyin" else "initial"
        derived = spelled(f"COALESCE((SELECT {part} FROM search_pinyin WHERE ch = {char}), "
                          f"CASE WHEN {char} GLOB '[A-Za-z0-9]' THEN lower({char}) END)", "")
        derived = f"CASE WHEN {has_han} THEN {derived} END"
        return f"'^^' || COALESCE(NULLIF(r.{column}, ''), {derived})" if column else f"'^^' || {derived}"
    if column is None:
        return "NULL"
    value = f"r.{column}"
    if key == "phone":  # digits only: "138-1234 5678" and "13812345678" are one number
        for sep in (" ", "-", "+", "(", ")", ".", "/"):
            value = f"replace({value}, '{sep}', '')"
    return f"'^^' || NULLIF({value}, '')"


@functools.cache
def _chinese_syllables() -> list[tuple[str, str, str]]:
    """(character, toneless pinyin, initial) of the common Chinese characters (CJK Unified Ideographs)."""
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    # a character pypinyin cannot read comes back as itself (kept apart: each is its own segment)
    syllables = lazy_pinyin(chars, style=Style.NORMAL, errors="default")
    return [(c, s, s[0]) for c, s in zip(chars, syllables, strict=True) if s.isascii() and s.isalpha()]


def _v4_crm(conn: Connection) -> None:
    """The CRM's tables, columns and indexes in a cache made before them (a no-op on a new cache,
    which step 1 made from the current schema). Rows cached before lack the new fields' values,
    so the cache downloads every row again: the cursor is forgotten, the outbox kept and rebased
    on the fresh rows (as exchange.Exchange._forget_cursor does)."""
    added = reconcile_synced_tables(conn)
    for name in SYNCED_TABLES:
        for index in metadata.tables[name].indexes:
            index.create(conn, checkfirst=True)
    if added and get_state(conn, "epoch") is not None:
        set_state(conn, "cursor", None)
        set_state(conn, REBASE_UNTIL_CAUGHT_UP, True)


#: sync_state flag (exchange.REBASE_UNTIL_CAUGHT_UP): rebase after every page until caught up
REBASE_UNTIL_CAUGHT_UP = "rebase_until_caught_up"


#: the customer list's indexes (app.crm.customer_list, app.sync.list_search), on the client only,
#: over live customers (each partial index's condition is the list's own WHERE, as SQLAlchemy
#: writes it). ix_party_list holds them in the list's name order (pinyin, name, id) with every
#: column its text filter reads, so the list opens, and a short text is checked, without reading
#: a table row or sorting. The pinyin and initials in NOCASE order give "starts with" as a range
#: (SQLite's LIKE ignores ASCII case as NOCASE does). The last two find what the search index does
#: not hold: codes with a Chinese character, and second phone numbers.
_LIVE = "WHERE is_customer IS 1 AND archived IS 0"
_LIST_INDEXES = {
    "ix_party_list": f"party (name_pinyin, name, id, code, name_initials, is_customer, archived) {_LIVE}",
    "ix_party_pinyin_nocase": f"party (name_pinyin COLLATE NOCASE, id) {_LIVE}",
    "ix_party_initials_nocase": f"party (name_initials COLLATE NOCASE, id) {_LIVE}",
    "ix_party_code_han": f"party (code, id) WHERE code GLOB '*{_HAN}*'",
    "ix_party_phone2": "party (phone2, id) WHERE phone2 > ''",
}


def _create_list_indexes(conn: Connection) -> None:
    for name, spec in _LIST_INDEXES.items():
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def _v5_customer_list(conn: Connection) -> None:
    """The customer list's indexes (`_LIST_INDEXES`)."""
    _create_list_indexes(conn)


#: the ladder: STEPS[i] takes a cache from user_version i to i + 1; only ever append to it
STEPS: list[Callable[[Connection], None]] = [_v1_base, _v2_inboxes, _v3_search, _v4_crm, _v5_customer_list]
VERSION = len(STEPS)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy's begin() issue BEGIN IMMEDIATE itself (pysqlite's implicit BEGIN comes late)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


#: execution option of connections that only read: they begin DEFERRED and never wait for a writer
READ_ONLY = "yiti_read_only"


def _on_begin(conn: Connection) -> None:
    # writers: IMMEDIATE takes the write lock up front, so two writers never deadlock on an upgrade;
    # readers (WAL) see the last commit and never block or wait for the writer
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def reading(engine: Engine) -> Connection:
    """A connection for reads only (``with reading(db) as conn: ...``)."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def connect(path: str | Path) -> Engine:
    """An engine on the cache file with our pragmas; the file is not migrated (see `open_cache`)."""
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    return engine


def user_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(engine: Engine, target: int = VERSION) -> bool:
    """Run the ladder up to `target`, one transaction per step. Returns whether synced tables had
    to be reconciled with the code's schema (then the cache must pull everything again)."""
    with engine.begin() as conn:
        current = user_version(conn)
    if current > VERSION:
        raise RuntimeError(f"cache file version {current} is newer than this program ({VERSION})")
    for step in range(current, target):
        with engine.begin() as conn:
            STEPS[step](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {step + 1}")
    if target < VERSION:
        return False
    with engine.begin() as conn:
        return reconcile_synced_tables(conn)


def reconcile_synced_tables(conn: Connection) -> bool:
    """Create synced tables and columns the code has and the file lacks (a newer program).

    Their rows must come from the server again, so when anything was added the pull cursor is
    cleared; returns whether that happened."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    changed = False
    for name in SYNCED_TABLES:
        table = metadata.tables[name]
        if name not in existing:
            table.create(conn)
            changed = True
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        for column in table.columns:
            if column.name not in have:
                ddl = column.type.compile(dialect=conn.dialect)
                default = column.server_default
                clause = ""
                if default is not None and isinstance(default, sa.DefaultClause):
                    arg = default.arg
                    text = arg if isinstance(arg, str) else str(arg.compile(dialect=conn.dialect))
                    clause = f" DEFAULT {text if not isinstance(arg, str) else repr(text)}"
                conn.exec_driver_sql(f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" {ddl}{clause}')
                changed = True
    if changed and get_state(conn, "cursor") is not None:
        set_state(conn, "cursor", None)
    return changed


def open_cache(path: str | Path) -> Engine:
    """Open (creating or migrating) the cache file at `path`."""
    engine = connect(path)
    migrate(engine)
    return engine


# --- sync_state --------------------------------------------------------------------------------
def get_state(conn: Connection, key: str) -> Any:
    """A value of sync_state (stored as JSON), or None."""
    value = conn.execute(sa.text("SELECT value FROM sync_state WHERE key = :k"), {"k": key}).scalar()
    return None if value is None else json.loads(value)


def set_state(conn: Connection, key: str, value: Any) -> None:
    if value is None:
        conn.execute(sa.text("DELETE FROM sync_state WHERE key = :k"), {"k": key})
        return
    conn.execute(
        sa.text("INSERT INTO sync_state (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
        {"k": key, "v": json.dumps(value)},
    )


def pause_search(conn: Connection) -> None:
    """Stop keeping the search index current, in the caller's transaction, before writing many rows
    at once (a snapshot); `reindex_search` fills it in bulk afterwards and resumes. The customer
    list's indexes go too and come back with it: sorting 100k customers once takes a tenth of the
    time keeping them in order row by row does."""
    conn.exec_driver_sql("UPDATE search_state SET paused = 1")
    for name in _LIST_INDEXES:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def reindex_search(conn: Connection) -> None:
    """Fill the search index again from every cached row, in bulk, and keep it current again."""
    conn.exec_driver_sql("UPDATE search_state SET paused = 1")
    conn.exec_driver_sql("DELETE FROM search_entry")
    conn.exec_driver_sql("INSERT INTO search_entry SELECT NULL, * FROM search_source")
    conn.exec_driver_sql("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")
    conn.exec_driver_sql("UPDATE search_state SET paused = 0")
    _create_list_indexes(conn)


def clear_synced_rows(conn: Connection) -> None:
    """Drop every cached server row and the shadow (a resync); the outbox stays."""
    for name in SYNCED_TABLES:
        conn.execute(sa.delete(metadata.tables[name]))
    conn.exec_driver_sql("DELETE FROM shadow")
