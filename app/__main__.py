"""``yiti``: the desktop app's entry point; ``yiti demo`` runs the demo; ``yiti sync`` syncs an
offline cache from a terminal or a script."""

from __future__ import annotations

import argparse
import sys


def demo(args: argparse.Namespace) -> int:
    # composition root: the demo runs the embedded server in this process
    import uvicorn

    from server.demo import DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, ensure_demo_tenant
    from server.main import create_app
    from server.settings import Settings
    from server.tenancy import connect_cluster

    settings = Settings()
    if args.data_dir:
        settings.data_dir = args.data_dir
    cluster = connect_cluster(settings)
    created = ensure_demo_tenant(cluster, settings)
    url = f"http://{args.host}:{args.port}"
    print(f"Yiti demo server: {url}  tenant: {DEMO_TENANT}  ({'created' if created else 'existing'})")
    for username, role, _name in DEMO_USERS:
        print(f"  {username:<8} {role:<10} password: {DEMO_PASSWORD}")
    print(f"  API contract: {url}/docs    stop with Ctrl+C")
    uvicorn.run(create_app(settings, cluster=cluster), host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    from app import sync_cli
    from app.core import i18n

    i18n.set_locale(sync_cli.environment_locale() or i18n.DEFAULT_LOCALE)
    parser = argparse.ArgumentParser(prog="yiti", description="Yiti (一体) CRM + ERP")
    sub = parser.add_subparsers(dest="command")
    demo_parser = sub.add_parser("demo", help="start the embedded server with a demo tenant")
    demo_parser.add_argument("--host", default="127.0.0.1")
    demo_parser.add_argument("--port", type=int, default=8080)
    demo_parser.add_argument("--data-dir", type=Path, help="where the demo's Postgres lives")
    sync_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args)
    if args.command == "sync":
        return sync_cli.run(args)
    parser.print_help()
    print("\nThe desktop client arrives with the desktop shell; until then run: yiti demo", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
