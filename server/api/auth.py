"""Sign in, refresh, sign out, who am I, change my password."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import Row

from app.core.errors import AuthFailed
from app.core.protocol import ErrorOut, LoginIn, PasswordChange, RefreshIn, TokenPairOut, UserOut
from server import users
from server.api.deps import ClusterDep, CurrentUserDep, NowDep, SettingsDep, TenantDep
from server.auth import tokens
from server.tenancy import Tenant

router = APIRouter(
    prefix="/t/{tenant}/v1/auth",
    tags=["auth"],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)


def _pair(tenant: Tenant, user_row: Row, issued: tokens.IssuedTokens) -> TokenPairOut:
    return TokenPairOut(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.access_ttl,
        refresh_expires_in=issued.refresh_ttl,
        tenant_id=tenant.tenant_id,
        user=users.user_out(user_row),
    )


@router.post("/login", response_model=TokenPairOut, responses={429: {"model": ErrorOut}})
def login(
    body: LoginIn, cluster: ClusterDep, tenant: TenantDep, settings: SettingsDep, now: NowDep
) -> TokenPairOut:
    # own transaction: a failed attempt must be committed before the error goes out
    with cluster.tenant_engine(tenant).connect() as conn:
        try:
            user_row, issued = users.sign_in(conn, settings, now, body.username, body.password)
        except AuthFailed:
            conn.commit()
            raise
        conn.commit()
    return _pair(tenant, user_row, issued)


@router.post("/refresh", response_model=TokenPairOut)
def refresh(
    body: RefreshIn, cluster: ClusterDep, tenant: TenantDep, settings: SettingsDep, now: NowDep
) -> TokenPairOut:
    with cluster.tenant_engine(tenant).connect() as conn:
        try:
            user_id, issued = tokens.rotate(
                conn, body.refresh_token, now, settings.access_ttl_seconds, settings.refresh_ttl_seconds
            )
        except Exception:
            conn.commit()  # a detected refresh-token replay revoked the sign-in: keep that
            raise
        user_row = users.get_user(conn, user_id)
        conn.commit()
    return _pair(tenant, user_row, issued)


@router.post("/logout", status_code=204)
def logout(user: CurrentUserDep, cluster: ClusterDep, tenant: TenantDep, now: NowDep) -> Response:
    with cluster.tenant_engine(tenant).begin() as conn:
        tokens.revoke_family(conn, user.family, now)  # type: ignore[arg-type]
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUserDep) -> UserOut:
    return users.user_out(user.row)


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChange,
    user: CurrentUserDep,
    cluster: ClusterDep,
    tenant: TenantDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Change my own password; every session of mine ends, this one included."""
    with cluster.tenant_engine(tenant).connect() as conn:
        try:  # throttled like a sign-in: a stolen access token must not buy unlimited guesses
            users.verify_password(conn, settings, now, user.row.username, body.old_password, field="old_password")
        except AuthFailed:
            conn.commit()
            raise
        users.set_password(conn, settings, now, user.id, body.new_password, field="new_password")
        conn.commit()
    return Response(status_code=204)
