"""The mutation registry: named, versioned writes shared by client and server.

    @mutator("crm.customer.update", version=1, args=CustomerPatch)
    def update_customer(tx: Tx, args: CustomerPatch) -> None: ...

The client runs a mutator speculatively on its cache (and again on every rebase); the server runs
the same function authoritatively. Old versions stay registered for as long as a client may be
offline with them in its outbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel

from app.core.errors import DomainError
from app.core.i18n import N_

if TYPE_CHECKING:
    from app.core.tx import Tx


class UnknownMutation(DomainError):
    code = "sync.unknown_mutation"
    status = 422
    template = N_("This change (%(name)s version %(version)s) is not known to the server.")


@dataclass(frozen=True)
class Mutator:
    name: str
    version: int
    args: type[BaseModel]
    fn: Callable[[Tx, Any], None]

    def run(self, tx: Tx, raw_args: dict[str, Any]) -> None:
        self.fn(tx, self.args.model_validate(raw_args))


_REGISTRY: dict[tuple[str, int], Mutator] = {}


Register = Callable[[Callable[..., None]], Callable[..., None]]


def mutator(name: str, *, version: int = 1, args: type[BaseModel]) -> Register:
    def register(fn: Callable[..., None]) -> Callable[..., None]:
        key = (name, version)
        if key in _REGISTRY and _REGISTRY[key].fn is not fn:
            raise RuntimeError(f"mutator {name}@{version} registered twice")
        _REGISTRY[key] = Mutator(name, version, args, fn)
        return fn

    return register


def get(name: str, version: int) -> Mutator:
    try:
        return _REGISTRY[(name, version)]
    except KeyError:
        raise UnknownMutation(name=name, version=version) from None


def latest_version(name: str) -> int:
    versions = [v for (n, v) in _REGISTRY if n == name]
    if not versions:
        raise UnknownMutation(name=name, version="?")
    return max(versions)


def names() -> list[str]:
    return sorted({n for (n, _v) in _REGISTRY})


def args_hash(name: str, version: int, args: dict[str, Any]) -> str:
    """A stable fingerprint of one mutation: a copied cache that reuses ids is told apart by it."""
    payload = orjson.dumps([name, version, args], option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(payload).hexdigest()[:32]
