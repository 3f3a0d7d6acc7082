"""A deterministic CRM dataset for benches: bilingual customers, their contacts and activities.

    python bench/dataset.py --customers 100000 [--contacts-per 2] [--activities-per 1] [--seed 1]
        [--data-dir DIR --tenant SLUG | --dsn URL]

The same seed gives the same rows (ids included). Rows go straight into a tenant database with
Postgres COPY; the change-capture triggers fire as for any write, so ``sync_change`` ends up as a
real server's would. Prints one JSON line: rows per table, seconds, and the database's DSN.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import psycopg

# the generator lives in the server package (the demo tenant uses it too); these names are the
# bench's API: load(psycopg_connection, DatasetSpec(customers=N)), generate(spec, owners)
from server.demo_data import EPOCH, HISTORY, DatasetSpec, generate, load, owners_of, uuid7_at

__all__ = ["EPOCH", "HISTORY", "DatasetSpec", "generate", "load", "main", "owners_of", "tenant_dsn", "uuid7_at"]


def tenant_dsn(data_dir: Path, slug: str) -> str:
    """The libpq URL of tenant `slug`'s database in the embedded cluster under `data_dir`
    (started, or joined when a server already runs it)."""
    from sqlalchemy.engine import make_url

    from server.embedded import start_embedded
    from server.tenancy import dbname_for

    url = make_url(start_embedded(data_dir)).set(drivername="postgresql", database=dbname_for(slug))
    return url.render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load a deterministic CRM dataset into a tenant database.")
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--contacts-per", type=int, default=2)
    parser.add_argument("--activities-per", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dsn", help="libpq URL of a tenant database (instead of --data-dir/--tenant)")
    parser.add_argument("--data-dir", type=Path, help="embedded cluster's data folder (default: the server's)")
    parser.add_argument("--tenant", default="bench", help="tenant slug (default: bench)")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.contacts_per < 0 or args.activities_per < 0:
        parser.error("--customers must be at least 1; --contacts-per and --activities-per not negative")
    if args.dsn:
        dsn = args.dsn
    else:
        from server.settings import Settings

        dsn = tenant_dsn(args.data_dir or Settings().data_dir, args.tenant)
    spec = DatasetSpec(args.customers, args.contacts_per, args.activities_per, args.seed)
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        counts = load(conn, spec)
    seconds = round(time.perf_counter() - started, 2)
    print(json.dumps({**counts, "seconds": seconds, "seed": spec.seed, "dsn": dsn}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
