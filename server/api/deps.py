"""Dependencies shared by the routes (FastAPI ``Annotated`` aliases)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Header, Path, Request
from sqlalchemy.engine import Connection

from app.core import i18n
from app.core.errors import NotAuthenticated
from server.auth import tokens
from server.settings import Settings
from server.tenancy import Cluster, Tenant


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_cluster(request: Request) -> Cluster:
    cluster: Cluster = request.app.state.cluster
    return cluster


def get_now(request: Request) -> dt.datetime:
    clock: Callable[[], dt.datetime] = request.app.state.clock
    return clock()


def get_locale(accept_language: Annotated[str | None, Header()] = None) -> str:
    return i18n.negotiate(accept_language)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClusterDep = Annotated[Cluster, Depends(get_cluster)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
LocaleDep = Annotated[str, Depends(get_locale)]


def get_tenant(cluster: ClusterDep, tenant: Annotated[str, Path(max_length=64)]) -> Tenant:
    return cluster.lookup(tenant)


TenantDep = Annotated[Tenant, Depends(get_tenant)]


def get_conn(cluster: ClusterDep, tenant: TenantDep) -> Iterator[Connection]:
    """A connection to the tenant's database in one transaction, committed if the route succeeds."""
    with cluster.tenant_engine(tenant).begin() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(get_conn)]


@dataclass(frozen=True)
class CurrentUser:
    row: sa.Row
    family: object

    @property
    def id(self):
        return self.row.id

    @property
    def role(self) -> str:
        role: str = self.row.role
        return role


def bearer_token(authorization: Annotated[str | None, Header(max_length=600)] = None) -> str:
    if not authorization:
        raise NotAuthenticated()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated()
    return token.strip()


def get_current_user(conn: ConnDep, now: NowDep, token: Annotated[str, Depends(bearer_token)]) -> CurrentUser:
    from server.users import get_user

    user_id, family = tokens.authenticate(conn, token, now)
    return CurrentUser(get_user(conn, user_id), family)


CurrentUserDep = Annotated[CurrentUser, Depends(get_current_user)]
