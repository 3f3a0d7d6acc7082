"""Wire models shared by server and client: auth, users, errors (pydantic)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

Role = Literal["admin", "manager", "sales_rep", "clerk", "planner"]
USERNAME_MAX = 64


def _fits_once_lowercased(name: str) -> str:
    # names are kept lowercased, and a few letters grow when lowercased ("İ" → "i̇")
    if len(name.lower()) > USERNAME_MAX:
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": USERNAME_MAX},
        )
    return name


Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=USERNAME_MAX, pattern=r"^[\w.@+-]+$"),
    AfterValidator(_fits_once_lowercased),
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    code: str
    message: str
    field: str | None = None


class LoginIn(_Strict):
    username: Username
    password: Password


class RefreshIn(_Strict):
    refresh_token: Token


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    disabled: bool
    locale: str


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds until the access token expires")
    refresh_expires_in: int
    tenant_id: uuid.UUID
    user: UserOut


class UserCreate(_Strict):
    username: Username
    password: Password
    role: Role
    display_name: DisplayName | None = None
    locale: Literal["zh_CN", "en"] = "zh_CN"


class UserPatch(_Strict):
    role: Role | None = None
    disabled: bool | None = None
    display_name: DisplayName | None = None


class PasswordChange(_Strict):
    old_password: Password
    new_password: Password


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


# --- sync (DESIGN §4) ---------------------------------------------------------------------------
MutationName = Annotated[str, StringConstraints(min_length=3, max_length=80, pattern=r"^[a-z0-9_.]+$")]


class Cursor(BaseModel):
    """Where a client's pull stands: every change at or before (xact, seq) of this epoch is in
    its cache. ``xact`` is a Postgres xid8; after a caught-up pull it is the horizon − 1."""

    epoch: int
    xact: int = 0
    seq: int = 0

    def below_floor(self, floor: int) -> bool:
        """Whether changes this cursor still needs may be compacted away. Entries of transactions
        below the compaction floor (a horizon) may be gone; a cursor at floor − 1 has all of them,
        and it is what a snapshot taken while the horizon still stands at the floor reports."""
        return bool(self.xact) and self.xact < floor - 1


class MutationIn(_Strict):
    id: int = Field(ge=1, description="dense per-client mutation id: the server expects last + 1")
    name: MutationName
    version: int = Field(ge=1, le=1000)
    args: dict[str, object]


class PushIn(_Strict):
    client_id: uuid.UUID
    schema_version: int = Field(ge=1)
    mutations: list[MutationIn] = Field(max_length=5000)


class FieldConflictOut(BaseModel):
    table: str
    row_id: uuid.UUID
    field: str
    base: object
    mine: object
    theirs: object


class MutationResult(BaseModel):
    id: int
    status: Literal["applied", "conflict", "rejected"]
    #: the server transaction that applied it: the mutation leaves the client's outbox once a
    #: pull's cursor has passed this point
    checkpoint: int | None = None
    error: ErrorOut | None = None
    conflicts: list[FieldConflictOut] = []


class PushOut(BaseModel):
    results: list[MutationResult]
    #: the batch stopped early on a transient failure; resend the rest later
    stopped: bool = False
    last_mutation_id: int


class PullIn(_Strict):
    client_id: uuid.UUID
    cursor: Cursor | None = None
    limit: int = Field(default=2000, ge=1, le=20000)


class SnapshotIn(_Strict):
    client_id: uuid.UUID


class SyncMetaOut(BaseModel):
    tenant_id: uuid.UUID
    epoch: int
    schema_version: int
    server_version: str
    scopes: list[str]
    mutations: list[str]
    last_mutation_id: int | None = None
    #: cursors older than this (same epoch) were compacted away: such a client must resync
    compaction_floor: int = 0
