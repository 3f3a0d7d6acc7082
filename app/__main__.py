"""``yiti``: the desktop app's entry point; ``yiti demo`` runs the demo; ``yiti sync`` syncs an
offline cache from a terminal or a script."""

from __future__ import annotations

import argparse
import sys


def demo(args: argparse.Namespace) -> int:
    try:
        from app.demo import run_demo
    except ModuleNotFoundError:
        if not getattr(sys, "frozen", False):
            raise
        from app.core.i18n import _

        # the desktop bundle carries no server: the demo runs from an installed source tree
        print(_("The demo needs the server, which this desktop build does not include: run `make demo` "
                "in a source checkout."), file=sys.stderr)
        return 2
    return run_demo(args)


def desktop(args: argparse.Namespace) -> int:
    from app.ui.launch import run_desktop

    return run_desktop(smoke_test=args.smoke_test)


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    from app import sync_cli
    from app.core import i18n

    i18n.set_locale(sync_cli.environment_locale() or i18n.DEFAULT_LOCALE)
    parser = argparse.ArgumentParser(prog="yiti", description="Yiti (一体) CRM + ERP")
    sub = parser.add_subparsers(dest="command")
    parser.add_argument("--smoke-test", action="store_true",
                        help="open the sign-in window, report that it is ready, and exit (checks a build)")
    demo_parser = sub.add_parser("demo", help="the embedded server with a demo tenant, and the app signed in")
    demo_parser.add_argument("--host", default="127.0.0.1")
    demo_parser.add_argument("--port", type=int,
                             help="the demo server's port (default: 8080, or a free one when 8080 is taken)")
    demo_parser.add_argument("--data-dir", type=Path, help="where the demo's Postgres and caches live")
    demo_parser.add_argument("--size", choices=("small", "large"), default="small",
                             help="small: a few thousand customers; large: 100k")
    demo_parser.add_argument("--role", default="sales_rep", help="the role to start as")
    demo_parser.add_argument("--screenshots", type=Path, metavar="DIR",
                             help="render every main page in English and Chinese to PNGs in DIR, then exit")
    demo_parser.add_argument("--server-only", action="store_true", help="run only the demo server (no window)")
    sync_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args)
    if args.command == "sync":
        return sync_cli.run(args)
    return desktop(args)


if __name__ == "__main__":
    raise SystemExit(main())
