"""``yiti-server``: serve, tenants, users, migrations, backups."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core import i18n
from app.core.errors import DomainError
from app.core.schema import ROLES, utcnow
from server.settings import Settings
from server.tenancy import Cluster, connect_cluster

PASSWORD_ENV = "YITI_PASSWORD"


class CliError(Exception):
    pass


def read_password(args: argparse.Namespace, prompt: str = "Password: ") -> str:
    """From stdin (--password-stdin), else $YITI_PASSWORD, else an interactive prompt; never argv."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    elif sys.stdin.isatty():
        password = getpass.getpass(prompt)
        if getpass.getpass("Repeat: ") != password:
            raise CliError("the passwords differ")
    else:
        raise CliError(f"no password given: use --password-stdin or set {PASSWORD_ENV}")
    if not password:
        raise CliError("empty password")
    return password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yiti-server", description="Yiti server administration")
    parser.add_argument(
        "--data-dir", type=Path, help="embedded Postgres data folder (default: user data dir)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1)

    tenant = sub.add_parser("tenant", help="tenants").add_subparsers(dest="action", required=True)
    create = tenant.add_parser("create", help="create a tenant database and its first admin")
    create.add_argument("slug")
    create.add_argument("--admin", required=True, metavar="USERNAME")
    create.add_argument("--password-stdin", action="store_true")
    tenant.add_parser("list", help="list tenants")
    drop = tenant.add_parser("drop", help="drop a tenant and its database")
    drop.add_argument("slug")
    drop.add_argument("--yes", action="store_true", required=True, help="confirm")

    user = sub.add_parser("user", help="users of a tenant").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add a user")
    add.add_argument("slug")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", help="display name")
    add.add_argument("--password-stdin", action="store_true")
    passwd = user.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("slug")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = user.add_parser("disable", help="disable a user (ends their sessions)")
    disable.add_argument("slug")
    disable.add_argument("username")
    enable = user.add_parser("enable", help="enable a disabled user")
    enable.add_argument("slug")
    enable.add_argument("username")

    mig = sub.add_parser("migrate", help="migrate tenant databases to this version")
    target = mig.add_mutually_exclusive_group(required=True)
    target.add_argument("slug", nargs="?")
    target.add_argument("--all", action="store_true")

    comp = sub.add_parser("compact", help="drop change-log entries superseded by a later one (safe at any time)")
    which = comp.add_mutually_exclusive_group(required=True)
    which.add_argument("slug", nargs="?")
    which.add_argument("--all", action="store_true")

    bak = sub.add_parser("backup", help="back up a tenant (pg_dump custom format)")
    bak.add_argument("slug")
    bak.add_argument("file", type=Path)
    res = sub.add_parser("restore", help="restore a backup as a new tenant (new id and sync epoch)")
    res.add_argument("slug")
    res.add_argument("file", type=Path)
    res.add_argument("--replace", action="store_true", help="replace an existing tenant of that name")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if args.data_dir:
        settings.data_dir = args.data_dir
    return settings


def run(args: argparse.Namespace, cluster: Cluster, settings: Settings) -> int:
    from server import backup, migrate, users

    if args.command == "tenant" and args.action == "create":
        password = read_password(args, "Admin password: ")
        t = cluster.create_tenant(args.slug)
        with cluster.tenant_engine(t).begin() as conn:
            users.create_user(conn, settings, utcnow(), args.admin, password, "admin")
        print(f"tenant {t.slug} created (database {t.dbname}); admin: {args.admin}")
    elif args.command == "tenant" and args.action == "list":
        for t in cluster.tenants():
            print(f"{t.slug}\t{t.tenant_id}\t{t.dbname}")
    elif args.command == "tenant" and args.action == "drop":
        cluster.drop_tenant(args.slug)
        print(f"tenant {args.slug} dropped")
    elif args.command == "user":
        t = cluster.lookup(args.slug)
        with cluster.tenant_engine(t).begin() as conn:
            if args.action == "add":
                password = read_password(args)
                users.create_user(conn, settings, utcnow(), args.username, password, args.role, args.name)
                print(f"user {args.username} ({args.role}) added to {t.slug}")
            else:
                row = users.find_user(conn, args.username)
                if args.action == "passwd":
                    users.set_password(conn, settings, utcnow(), row.id, read_password(args))
                    print(f"password of {row.username} changed; their sessions ended")
                else:
                    users.update_user(conn, utcnow(), row.id, disabled=args.action == "disable")
                    print(f"user {row.username} {args.action}d")
    elif args.command == "migrate":
        targets = cluster.tenants() if args.all else [cluster.lookup(args.slug)]
        for t in targets:
            with cluster.tenant_engine(t).connect() as conn:
                migrate.upgrade(conn)
                print(f"{t.slug}: at {migrate.current_revision(conn)}")
    elif args.command == "compact":
        from server.sync.pull import compact

        for t in cluster.tenants() if args.all else [cluster.lookup(args.slug)]:
            with cluster.tenant_engine(t).begin() as conn:
                print(f"{t.slug}: {compact(conn)} superseded change entries dropped")
    elif args.command == "backup":
        backup.backup(cluster, args.slug, args.file)
        print(f"tenant {args.slug} backed up to {args.file}")
    elif args.command == "restore":
        t = backup.restore(cluster, args.slug, args.file, replace=args.replace)
        print(f"restored {args.file} as tenant {t.slug} (new tenant id {t.tenant_id})")
    return 0


@contextmanager
def exit_on_signals(handler: Callable[[int, object], None], *signums: int) -> Iterator[None]:
    """While inside, `signums` run `handler` (which raises SystemExit); the previous handlers
    come back afterwards. By default SIGTERM and SIGHUP end the process on the spot, so exit
    hooks never run and an embedded Postgres this process was the last user of stays up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _interrupted(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.main import create_app

    # uvicorn catches SIGINT/SIGTERM, shuts down gracefully, then raises the signal again with the
    # handler it found: ours turns that into a clean exit (status 0) that runs the exit hooks
    with exit_on_signals(_stopped, signal.SIGINT, signal.SIGTERM):
        app = create_app(settings)
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose or args.command == "serve" else logging.WARNING)
    settings = settings_from(args)
    try:
        with exit_on_signals(_interrupted, signal.SIGTERM, signal.SIGHUP):
            if args.command == "serve":
                return serve(args, settings)
            cluster = connect_cluster(settings)
            try:
                return run(args, cluster, settings)
            finally:
                cluster.dispose()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except DomainError as exc:
        print(f"error: {exc.message(i18n.normalize(os.environ.get('LANG')))}", file=sys.stderr)
        return 2
    except (CliError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
