"""Where sync time goes: each stage of an initial sync, an incremental pull and a push, timed on its
own, with cProfile's busiest functions.

    python bench/profile_sync.py [--customers 10000] [--top 20] > stages.jsonl 2> profiles.txt

Stages of the initial sync: the server building the snapshot body (in this process, straight from
``server.sync.snapshot.stream``), the gzip the server's middleware applies to it, the same body
read over HTTP from the real server (gzip and identity), and the client applying the downloaded
lines to a fresh cache; then a whole ``sync()`` under the profiler. The push stage runs the
server's ``push`` in this process on the outbox of an offline client.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import sys
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import httpx
import psycopg
import sqlalchemy as sa
from harness import BenchEnv, bench_env, use_memory_keyring
from sync import editable_customers, queue_offline, touch_on_server

from app.core.protocol import PushIn
from app.sync import SyncClient
from app.sync.bootstrap import apply_snapshot
from app.sync.cache import open_cache
from server.permissions import scopes_for
from server.sync import push as pushing
from server.sync import snapshot

T = TypeVar("T")
TOP = 20


def emit(stage: str, seconds: float, **extra: Any) -> None:
    print(json.dumps({"stage": stage, "seconds": round(seconds, 3), **extra}, ensure_ascii=False), flush=True)


def profiled(stage: str, fn: Callable[[], T]) -> tuple[T, float]:
    """Run `fn` under cProfile; its busiest functions go to stderr. Returns its result and its wall
    time (which includes the profiler's own overhead; the timed stages run without it)."""
    profile = cProfile.Profile()
    started = time.perf_counter()
    result = profile.runcall(fn)
    seconds = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    out.write(f"===== {stage}: {seconds:.2f} s under the profiler; by own time\n")
    stats.sort_stats("tottime").print_stats(TOP)
    out.write(f"===== {stage}: by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(TOP)
    print(out.getvalue(), file=sys.stderr, flush=True)
    return result, seconds


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


class DatabaseTime:
    """Statements a server engine ran and the seconds spent waiting on each kind (the round trip
    and Postgres's own work, triggers included); the rest of a stage's time is Python's."""

    def __init__(self) -> None:
        self.statements = 0
        self.seconds = 0.0
        self.by_kind: Counter[str] = Counter()
        self._engine: sa.engine.Engine | None = None

    def install(self, engine: sa.engine.Engine) -> DatabaseTime:
        self._engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)
        return self

    def remove(self) -> None:
        if self._engine is not None:
            sa.event.remove(self._engine, "before_cursor_execute", self._before)
            sa.event.remove(self._engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        spent = time.perf_counter() - conn.info.pop("started")
        self.statements += 1
        self.seconds += spent
        self.by_kind[_kind(statement)] += spent

    def busiest(self, n: int = 6) -> dict[str, float]:
        return {kind: round(s, 3) for kind, s in self.by_kind.most_common(n)}


def _kind(statement: str) -> str:
    """"SELECT party", "INSERT activity", "SAVEPOINT", ...: what a statement does, to which table."""
    words = statement.replace('"', "").split()
    verb = words[0].upper()
    upper = [w.upper() for w in words]
    if verb == "SELECT" and "FROM" in upper:
        return f"SELECT {words[upper.index('FROM') + 1]}"
    for verb_, before in (("INSERT", "INTO"), ("DELETE", "FROM")):
        if verb == verb_ and before in upper[:-1]:
            return f"{verb} {words[upper.index(before) + 1]}"
    if verb == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    return verb


def server_engine(env: BenchEnv) -> sa.engine.Engine:
    return sa.create_engine(env.dsn.replace("postgresql://", "postgresql+psycopg://", 1))


def build_snapshot(engine: sa.engine.Engine) -> list[bytes]:
    return list(snapshot.stream(engine, 1, scopes_for("sales_rep")))


def gzip_like_middleware(chunks: list[bytes], level: int) -> list[bytes]:
    """What the server's GZipMiddleware does to a streamed body: one sync flush per chunk."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(c) + compressor.flush(zlib.Z_SYNC_FLUSH) for c in chunks]
    out.append(compressor.flush())
    return out


def read_over_http(client: SyncClient) -> int:
    """The snapshot over HTTP, read line by line as the client's transport does, nothing parsed."""
    with client.transport.stream("sync/snapshot", {"client_id": str(uuid.uuid4())}) as lines:
        return sum(1 for _ in lines)


def http_client(env: BenchEnv, encoding: str | None) -> httpx.Client:
    """An HTTP client that asks for gzip (httpx's default) or, with "identity", for plain bodies."""
    headers = {"Accept-Encoding": encoding} if encoding else {}
    return httpx.Client(base_url=env.server.url, headers=headers, timeout=60)


def lines_of(chunks: list[bytes]) -> list[bytes]:
    return [line for line in b"".join(chunks).split(b"\n") if line]


def apply_lines(env: BenchEnv, name: str, lines: list[bytes]) -> int:
    db = open_cache(env.data_dir / f"{name}.sqlite")
    with db.begin() as conn:
        done = apply_snapshot(conn, iter(lines), None)
    db.dispose()
    return done.rows


def decode_only(lines: list[bytes]) -> int:
    """orjson and the codec alone: the client's per-row Python work before SQLite."""
    import orjson

    from app.sync.codec import storage_rows

    n = 0
    for line in lines[1:-1]:
        item = orjson.loads(line)
        storage_rows(item["t"]).encode(item["row"])
        n += 1
    return n


def initial_stages(env: BenchEnv) -> None:
    engine = server_engine(env)
    chunks, build_s = timed(lambda: build_snapshot(engine))
    body = sum(len(c) for c in chunks)
    emit("server_build_snapshot", build_s, bytes=body, rows=sum(env.loaded.values()))
    profiled("server_build_snapshot", lambda: build_snapshot(engine))
    for level in (9, 6, 1):
        packed, gzip_s = timed(partial(gzip_like_middleware, chunks, level))
        emit(f"server_gzip_level{level}", gzip_s, bytes=sum(len(c) for c in packed))
    packed = gzip_like_middleware(chunks, 9)
    _, gunzip_s = timed(lambda: zlib.decompress(b"".join(packed), 16 + zlib.MAX_WBITS))
    emit("client_gunzip", gunzip_s)
    for encoding in (None, "identity"):
        with http_client(env, encoding) as http:
            reader = env.client(f"read-{encoding}", http=http)
            count, http_s = timed(partial(read_over_http, reader))
            reader.close()
        emit(f"http_read_lines_{encoding or 'gzip'}", http_s, lines=count)
    lines = lines_of(chunks)
    _, decode_s = timed(lambda: decode_only(lines))
    emit("client_orjson_and_storage_form", decode_s)
    rows, apply_s = timed(lambda: apply_lines(env, "apply", lines))
    emit("client_apply_snapshot", apply_s, rows=rows)
    profiled("client_apply_snapshot", lambda: apply_lines(env, "apply-profiled", lines))
    engine.dispose()
    for encoding in (None, "identity"):
        with http_client(env, encoding) as http:
            client = env.client(f"whole-{encoding}", http=http)
            report, whole_s = timed(client.sync)
            emit(f"whole_initial_sync_{encoding or 'gzip'}", whole_s, rows=report.snapshot_rows)
            client.close()
    client = env.client("whole-profiled")
    profiled("whole_initial_sync_client_side", client.sync)
    client.close()


def incremental_stage(env: BenchEnv) -> None:
    import random

    client = env.client("incremental")
    client.sync()
    with psycopg.connect(env.dsn, autocommit=True) as pg:
        touch_on_server(pg, random.Random(5), env.loaded["party"], "profile")
        profiled("incremental_sync_1000_client_side", client.sync)
    client.close()


def push_stage(env: BenchEnv) -> None:
    """1,000 offline mutations: recorded on the client, then the server's push run in this process."""
    import random

    client = env.client("pusher")
    client.sync()
    known = editable_customers(client, 2000)
    profiled("client_record_1000_mutations", lambda: queue_offline(client, random.Random(7), known))
    queued = client.pending()
    user_id = client.user_id()
    assert user_id is not None
    client_id = str(client.state("client_id"))

    def batch(part: list[dict[str, Any]]) -> PushIn:
        return PushIn.model_validate({"client_id": client_id, "schema_version": 1, "mutations": [
            {"id": m["id"], "name": m["name"], "version": m["version"], "args": m["args"]} for m in part]})

    body, rest = batch(queued[:500]), batch(queued[500:])
    engine = server_engine(env)
    database = DatabaseTime().install(engine)
    now = dt.datetime.now(dt.UTC)
    out, first_s = timed(lambda: pushing.push(engine, "sales_rep", user_id, body, now, "en"))
    emit("server_push_500_mutations", first_s, statuses=dict(Counter(r.status for r in out.results)),
         statements=database.statements, db_seconds=round(database.seconds, 3),
         busiest=database.busiest())
    database.remove()
    profiled("server_push_500_mutations", lambda: pushing.push(engine, "sales_rep", user_id, rest, now, "en"))
    engine.dispose()
    client.close()


def main(argv: list[str] | None = None) -> int:
    global TOP
    parser = argparse.ArgumentParser(description="Profile the stages of sync.")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=TOP, help="functions listed per profile")
    args = parser.parse_args(argv)
    TOP = args.top
    use_memory_keyring()
    with bench_env(args.customers) as env:
        initial_stages(env)
        incremental_stage(env)
        push_stage(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
