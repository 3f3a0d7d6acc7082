"""``yiti sync``: sync one offline cache with the server from a terminal or a script, or list
what waits in it (queued changes, open conflicts, rejected changes) without going online.

Exit status: 0 synced, 2 error (the message says why), 3 offline (nothing lost: the cache keeps
every change for the next sync).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core import fmt
from app.core.errors import DomainError, NotAuthenticated
from app.core.i18n import _, current_locale, ngettext

if TYPE_CHECKING:
    from app.sync import SyncClient, SyncReport

PASSWORD_ENV = "YITI_PASSWORD"
EXIT_OK, EXIT_ERROR, EXIT_OFFLINE = 0, 2, 3
#: a one-shot command answers soon: fewer, shorter retries than the desktop's background loop
RETRY_DELAYS = (0.5, 1.0)


class CliError(Exception):
    """How the command was called does not work; the text is translated already."""


def environment_locale() -> str | None:
    """The user's language as the environment names it (LC_ALL, then LC_MESSAGES, then LANG)."""
    return next((os.environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(k)), None)


def add_parser(sub: Any) -> None:
    """Add ``sync`` to the subcommands of ``yiti``."""
    p = sub.add_parser("sync", help=_("sync an offline cache with the server"),
                       description=_("Send this cache's changes to the server and receive everyone else's."))
    p.add_argument("--cache", required=True, type=Path, metavar="FILE", help=_("the offline cache file"))
    p.add_argument("--server", metavar="URL", help=_("the server's address (default: the one this cache knows)"))
    p.add_argument("--tenant", metavar="SLUG", help=_("the tenant (default: the one this cache knows)"))
    p.add_argument("--user", metavar="NAME", help=_("who signs in (default: the owner of this cache)"))
    p.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    only = p.add_mutually_exclusive_group()
    only.add_argument("--pending", action="store_true", help=_("list the changes waiting to be sent; do not sync"))
    only.add_argument("--conflicts", action="store_true", help=_("list the open conflicts; do not sync"))
    only.add_argument("--rejected", action="store_true", help=_("list the changes the server rejected; do not sync"))


def run(args: argparse.Namespace) -> int:
    from app.sync import SyncClient

    try:
        server, tenant = _where(args)
        with SyncClient.open(args.cache, server, tenant) as client:
            if args.pending or args.conflicts or args.rejected:
                return _list(client, args)
            return _sync(client, args)
    except CliError as exc:
        print(_("Error: %(message)s") % {"message": exc}, file=sys.stderr)
    except DomainError as exc:
        print(_("Error: %(message)s") % {"message": exc.message(current_locale())}, file=sys.stderr)
    except KeyboardInterrupt:  # Ctrl+C, at the password prompt say: no traceback, the cache as it was
        print(file=sys.stderr)
        return 130
    return EXIT_ERROR


def _where(args: argparse.Namespace) -> tuple[str, str]:
    """Server and tenant: as given, else as the cache file knows them."""
    known: dict[str, Any] = {}
    if args.cache.exists():
        from app.sync import cache

        engine = cache.open_cache(args.cache)
        with engine.connect() as conn:
            known = {key: cache.get_state(conn, key) for key in ("server", "tenant")}
        engine.dispose()
    elif args.pending or args.conflicts or args.rejected:
        raise CliError(_("There is no cache file at %(path)s.") % {"path": args.cache})
    server, tenant = args.server or known.get("server"), args.tenant or known.get("tenant")
    if not server or not tenant:
        raise CliError(_("This cache does not know its server yet: give --server and --tenant."))
    return str(server), str(tenant)


# --- sync ------------------------------------------------------------------------------------------
def _sync(client: SyncClient, args: argparse.Namespace) -> int:
    from app.sync import CacheOfAnotherUser

    owner = client.state("username")
    user = args.user or owner
    if owner is not None and user != owner:
        raise CacheOfAnotherUser(owner=owner, user=user)
    client.retry_delays = RETRY_DELAYS
    report: SyncReport | None = None
    if not client.signed_in:
        report = _sign_in(client, user, args)
    if report is None:
        report = client.sync()
        refused = report.error == NotAuthenticated.code
        if refused and user and _password_at_hand(args):  # the stored sign-in was ended: sign in again
            report = _sign_in(client, user, args) or client.sync()
    _print_report(client, report, args.json)
    return EXIT_OFFLINE if report.offline else EXIT_OK if report.ok else EXIT_ERROR


def _sign_in(client: SyncClient, user: str | None, args: argparse.Namespace) -> SyncReport | None:
    """Sign in with the password; a report of why not, or None once signed in."""
    from app.sync import SyncReport
    from app.sync.transport import ApiError, Offline

    if not user:
        raise CliError(_("Give --user: nobody has signed in with this cache yet."))
    password = _read_password(args, user, client.transport.tenant)
    try:
        client.login(user, password)
    except Offline:
        return SyncReport(offline=True)
    except ApiError as exc:
        return SyncReport(error=exc.server_code, message=exc.server_message)
    if not client.sign_in_kept:
        print(_("No keyring is available on this computer: this sign-in lasts only for this run, "
                "and the next sync asks for the password again."), file=sys.stderr)
    return None


def _password_at_hand(args: argparse.Namespace) -> bool:
    return bool(args.password_stdin or os.environ.get(PASSWORD_ENV) or sys.stdin.isatty())


def _read_password(args: argparse.Namespace, user: str, tenant: str) -> str:
    """From standard input (--password-stdin), else $YITI_PASSWORD, else a prompt; never argv."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    elif sys.stdin.isatty():
        password = getpass.getpass(_("Password of %(user)s at %(tenant)s: ") % {"user": user, "tenant": tenant})
    else:
        raise CliError(_("No password given: use --password-stdin or set %(env)s.") % {"env": PASSWORD_ENV})
    if not password:
        raise CliError(_("The password is empty."))
    return password


def _print_report(client: SyncClient, report: SyncReport, as_json: bool) -> None:
    if as_json:
        body = dataclasses.asdict(report)
        body.pop("changed")  # which rows changed, for open views: not part of the script report
        print(json.dumps(body, ensure_ascii=False))
        return
    if report.offline:
        print(_("The server cannot be reached: you are offline. Your changes stay in the offline cache "
                "and are sent with the next sync."), file=sys.stderr)
        return
    if report.error is not None:
        print(_("Sync failed: %(message)s") % {"message": _error_text(report)}, file=sys.stderr)
        return
    lines = [_("Sync finished.")]
    if report.resynced:
        lines.append(_("The server's data was restored: this cache downloaded everything again; "
                       "your unsent changes were kept and sent again."))
    if report.pushed:
        lines.append(ngettext(
            "Sent %(n)s change: %(applied)s applied, %(rejected)s rejected, %(conflicts)s in conflict.",
            "Sent %(n)s changes: %(applied)s applied, %(rejected)s rejected, %(conflicts)s in conflict.",
            report.pushed) % {"n": report.pushed, "applied": report.applied, "rejected": report.rejected,
                              "conflicts": report.conflicts})
    else:
        lines.append(_("Nothing to send."))
    if report.snapshot_rows:
        lines.append(ngettext("Downloaded %(n)s record to start this cache.",
                              "Downloaded %(n)s records to start this cache.", report.snapshot_rows)
                     % {"n": report.snapshot_rows})
    lines.append(ngettext("Received %(n)s change.", "Received %(n)s changes.", report.pulled_changes)
                 % {"n": report.pulled_changes})
    waiting = len(client.pending())
    if waiting:
        lines.append(ngettext("%(n)s change is still waiting to be sent.",
                              "%(n)s changes are still waiting to be sent.", waiting) % {"n": waiting})
    if report.not_applying:
        n = len(report.not_applying)
        lines.append(ngettext("%(n)s queued change no longer fits the data here; the server decides on it.",
                              "%(n)s queued changes no longer fit the data here; the server decides on them.",
                              n) % {"n": n})
    if report.rejected:
        lines.append(_("The server rejected changes of yours: see them with yiti sync --rejected."))
    if client.conflicts():
        lines.append(_("Some of your changes clash with other edits: see them with yiti sync --conflicts."))
    print("\n".join(lines))


def _error_text(report: SyncReport) -> str:
    if report.error == NotAuthenticated.code:
        return NotAuthenticated().message(current_locale())
    return report.message or str(report.error)


# --- listing ---------------------------------------------------------------------------------------
def _list(client: SyncClient, args: argparse.Namespace) -> int:
    if args.pending:
        rows = client.pending()
        empty = _("No changes are waiting to be sent.")
        head = ngettext("%(n)s change waiting to be sent:", "%(n)s changes waiting to be sent:", len(rows))
        lines = [f"  #{r['id']}  {_when(r['created_at'])}  {r['name']}  {_value(r['args'])}" for r in rows]
    elif args.conflicts:
        rows = client.conflicts()
        empty = _("No open conflicts.")
        head = ngettext("%(n)s open conflict:", "%(n)s open conflicts:", len(rows))
        lines = [_("  #%(id)s  %(table)s %(row)s, %(field)s: yours %(mine)s, theirs %(theirs)s")
                 % {"id": r["id"], "table": r["tbl"], "row": r["row_id"], "field": r["field"],
                    "mine": _value(r["mine"]), "theirs": _value(r["theirs"])} for r in rows]
    else:
        rows = client.rejected()
        empty = _("No rejected changes.")
        head = ngettext("%(n)s rejected change:", "%(n)s rejected changes:", len(rows))
        lines = [f"  #{r['id']}  {_when(r['created_at'])}  {r['name']}  {_value(r['args'])}\n"
                 f"      {r['code']}: {r['message']}" for r in rows]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
    elif not rows:
        print(empty)
    else:
        print("\n".join([head % {"n": len(rows)}, *lines]))
    return EXIT_OK


def _when(instant: str) -> str:
    return fmt.datetime(dt.datetime.fromisoformat(instant))


def _value(value: Any, width: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"
