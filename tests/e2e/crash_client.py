"""A client process for the crash tests: syncs an offline cache, and on the Nth pulled page
(written, not yet committed) writes a marker file and hangs there until it is killed.

    python tests/e2e/crash_client.py CACHE SERVER TENANT --marker FILE --page N --pull-limit K

It signs in from the keyring the test signed this cache in with (PYTHON_KEYRING_BACKEND, with the
repository on PYTHONPATH). Exit status 1: the sync ended without reaching page N.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from app.sync import SyncClient, exchange


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cache", type=Path)
    parser.add_argument("server")
    parser.add_argument("tenant")
    parser.add_argument("--marker", type=Path, required=True)
    parser.add_argument("--page", type=int, required=True)
    parser.add_argument("--pull-limit", type=int, required=True)
    args = parser.parse_args()
    exchange.PULL_LIMIT = args.pull_limit  # small pages: the pull takes many of them
    pages = 0

    def hang_on_page() -> None:
        nonlocal pages
        pages += 1
        if pages == args.page:
            partial = args.marker.with_name(args.marker.name + ".partial")
            partial.write_text(f"{pages} {os.getpid()}")
            partial.replace(args.marker)  # the test never reads half a marker
            while True:  # inside the page's open SQLite transaction: the kill comes here
                time.sleep(60)

    SyncClient._after_page_applied_hook = hang_on_page
    with SyncClient.open(args.cache, args.server, args.tenant) as client:
        report = client.sync()
    print(f"sync ended after {pages} pages without the crash: {report}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
