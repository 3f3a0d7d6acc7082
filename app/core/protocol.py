"""Wire models shared by server and client: auth, users, errors (pydantic)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Role = Literal["admin", "manager", "sales_rep", "clerk", "planner"]
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.@+-]+$")
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
