"""A reference model of the server: what each pushed mutation must do, given the order in which
the pushes reached the server (that order is the server's to choose; the outcome is not).

It follows DESIGN §4's rules on plain dicts: permissions decide first; a patch field whose value
is the base is applied, one already at the new value is a no-op, otherwise a soft field takes the
later write and a guarded field keeps the earlier one and reports a conflict; an edit written to
an archived record is kept and reported as an "archived" conflict; rows that only accumulate
(activities, stock moves) never conflict. A create of an id that exists is a no-op when it
carries the same values (a queue sent again), and refused otherwise.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from app.core import mutations
from app.core.schema import GUARDED
from server import permissions

#: party fields the tests edit (soft: phone, notes, city; guarded: credit_limit, status)
PARTY_FIELDS = ("phone", "notes", "city", "credit_limit", "status")
PARTY_GUARDED = GUARDED["party"]
_DECIMAL_FIELDS = frozenset({"credit_limit", "qty", "list_price"})


def norm(field: str, value: Any) -> Any:
    """One spelling per value: decimals as Decimal whatever their exponent."""
    if value is None:
        return None
    if field in _DECIMAL_FIELDS:
        return Decimal(str(value)).normalize()
    return value


class ServerModel:
    def __init__(self, roles: dict[int, str]) -> None:
        self.roles = roles
        self.parties: dict[str, dict[str, Any]] = {}
        #: (table, id) → the arguments of the create that made the row
        self.created: dict[tuple[str, str], dict[str, Any]] = {}
        self.ids: dict[str, set[str]] = {t: set() for t in ("contact", "activity", "product", "location")}
        self.codes: set[tuple[str, str]] = set()
        self.moves: dict[str, tuple[str, str, str, Decimal]] = {}
        #: (client id, mutation id) → the result the server gave the first time
        self.first: dict[tuple[str, int], dict[str, Any]] = {}
        #: seat → Counter of (args hash, status): what each seat's mutations became
        self.fates: dict[int, Counter[tuple[str, str]]] = {s: Counter() for s in roles}
        #: (seat, table, row id, field, mine, theirs) of every conflict the server reported
        self.conflicts: Counter[tuple[Any, ...]] = Counter()
        self.problems: list[str] = []

    # --- what the server answered -----------------------------------------------------------------
    def observe(self, seat: int, body: dict[str, Any], out: dict[str, Any]) -> None:
        """A push the server executed, with its answer (seen even if the client never got it)."""
        client_id = body["client_id"]
        sent = {m["id"]: m for m in body["mutations"]}
        for result in out["results"]:
            key = (client_id, result["id"])
            m = sent[result["id"]]
            if key in self.first:
                if result != self.first[key]:
                    self.problems.append(f"seat {seat}: the replay of {key} gave {result}, first {self.first[key]}")
                continue
            self.first[key] = result
            status, clashes = self.run(seat, m["name"], m["args"])
            got = {(c["field"], norm(c["field"], c["mine"]), norm(c["field"], c["theirs"]))
                   for c in result["conflicts"]}
            if result["status"] != status or got != set(clashes):
                self.problems.append(
                    f"seat {seat}: {m['name']} {m['args']} should be {status} {clashes}, the server said "
                    f"{result['status']} {got} {result.get('error')}"
                )
            self.fates[seat][(mutations.args_hash(m["name"], m["version"], m["args"]), result["status"])] += 1
            for c in result["conflicts"]:
                self.conflicts[(seat, c["table"], str(c["row_id"]), c["field"], norm(c["field"], c["mine"]),
                                norm(c["field"], c["theirs"]))] += 1

    def committed_elsewhere(self, parties: list[dict[str, Any]], moves: list[dict[str, Any]]) -> None:
        """Rows another writer committed on the server directly."""
        for args in parties:
            self._create_party(args)
        for args in moves:
            self._move(args)

    # --- the rules ----------------------------------------------------------------------------
    def run(self, seat: int, name: str, args: dict[str, Any]) -> tuple[str, list[tuple[str, Any, Any]]]:
        """The status a mutation must get now, and the (field, mine, theirs) it must clash on."""
        if not permissions.may_run(self.roles[seat], name):
            return "rejected", []
        handler = getattr(self, "_" + name.replace(".", "_"), None)
        if handler is None:
            raise AssertionError(f"the model knows no {name}")
        return handler(args)

    def _again(self, table: str, args: dict[str, Any], now: dict[str, Any] | None = None) -> str:
        """The status of a create whose id exists: a no-op if nothing differs from the row."""
        first = self.created.get((table, args["id"]))
        same = first is not None and all(
            norm(k, v) == norm(k, (now or {}).get(k, first.get(k))) for k, v in args.items()
        )
        return "applied" if same else "rejected"

    def _crm_customer_create(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        if args["id"] in self.parties:
            return self._again("party", args, self.parties[args["id"]]), []
        self._create_party(args)
        return "applied", []

    def _create_party(self, args: dict[str, Any]) -> None:
        row = {f: norm(f, args.get(f)) for f in PARTY_FIELDS}
        row["status"] = args.get("status") or "prospect"
        row["archived"] = False
        self.parties[args["id"]] = row
        self.created[("party", args["id"])] = args

    def _crm_customer_update(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        row = self.parties.get(args["id"])
        if row is None:
            return "rejected", []
        clashes = []
        wrote = False
        for name, change in args.items():
            if name == "id" or change is None:
                continue
            if name not in PARTY_FIELDS:
                raise AssertionError(f"the model does not follow party.{name}")
            now, base, new = row[name], norm(name, change["base"]), norm(name, change["new"])
            if now == new:
                continue
            if now != base and name in PARTY_GUARDED:
                clashes.append((name, new, now))
                continue
            row[name] = new
            wrote = True
        if wrote and row["archived"]:
            clashes.append(("archived", False, True))
        return ("conflict" if clashes else "applied"), clashes

    def _crm_customer_archive(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        row = self.parties.get(args["id"])
        if row is None:
            return "rejected", []
        row["archived"] = bool(args["archived"])
        return "applied", []

    def _child(self, table: str, args: dict[str, Any]) -> tuple[str, list[Any]]:
        if args["party_id"] not in self.parties:
            return "rejected", []
        if args["id"] in self.ids[table]:
            return self._again(table, args), []
        self.ids[table].add(args["id"])
        self.created[(table, args["id"])] = args
        return "applied", []

    def _crm_contact_create(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        return self._child("contact", args)

    def _crm_activity_log(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        return self._child("activity", args)

    def _erp_product_create(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        return self._catalogue("product", args, args["sku"])

    def _erp_location_create(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        return self._catalogue("location", args, args["code"])

    def _catalogue(self, table: str, args: dict[str, Any], code: str) -> tuple[str, list[Any]]:
        if args["id"] in self.ids[table]:
            return self._again(table, args), []
        if (table, code) in self.codes:
            return "rejected", []
        self.ids[table].add(args["id"])
        self.codes.add((table, code))
        self.created[(table, args["id"])] = args
        return "applied", []

    def _erp_stock_move(self, args: dict[str, Any]) -> tuple[str, list[Any]]:
        known = args["product_id"] in self.ids["product"] and {args["from_location_id"], args["to_location_id"]} <= (
            self.ids["location"]
        )
        if not known:
            return "rejected", []
        if args["id"] in self.moves:
            return self._again("stock_move", args), []
        self._move(args)
        self.created[("stock_move", args["id"])] = args
        return "applied", []

    def _move(self, args: dict[str, Any]) -> None:
        self.moves[args["id"]] = (
            args["product_id"], args["from_location_id"], args["to_location_id"], Decimal(str(args["qty"]))
        )

    # --- what must follow -------------------------------------------------------------------------
    def on_hand(self, product_id: str, location_id: str) -> Decimal:
        """Σ accepted moves into the location − Σ out of it."""
        total = Decimal(0)
        for product, source, target, qty in self.moves.values():
            if product == product_id:
                total += (qty if target == location_id else 0) - (qty if source == location_id else 0)
        return total
