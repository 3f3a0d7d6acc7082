"""Tenant administration: users and roles (admin only; managers may list)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.core.protocol import ErrorOut, UserCreate, UserOut, UserPatch
from server import permissions, users
from server.api.deps import ConnDep, CurrentUserDep, NowDep, SettingsDep

router = APIRouter(
    prefix="/t/{tenant}/v1/admin",
    tags=["admin"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)


@router.get("/users", response_model=list[UserOut])
def list_users(conn: ConnDep, user: CurrentUserDep) -> list[UserOut]:
    permissions.require(user.role, permissions.ADMIN_USERS_READ)
    return [users.user_out(row) for row in users.list_users(conn)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserCreate, conn: ConnDep, user: CurrentUserDep, settings: SettingsDep, now: NowDep
) -> UserOut:
    permissions.require(user.role, permissions.ADMIN_USERS_WRITE)
    row = users.create_user(
        conn,
        settings,
        now,
        body.username,
        body.password,
        body.role,
        body.display_name,
        body.locale,
        by=user.id,
    )
    return users.user_out(row)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: uuid.UUID, body: UserPatch, conn: ConnDep, user: CurrentUserDep, now: NowDep
) -> UserOut:
    permissions.require(user.role, permissions.ADMIN_USERS_WRITE)
    row = users.update_user(
        conn, now, user_id, role=body.role, disabled=body.disabled, display_name=body.display_name, by=user.id
    )
    return users.user_out(row)
