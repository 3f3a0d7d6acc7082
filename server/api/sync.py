"""Sync endpoints: meta, push, pull (DESIGN §4)."""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

import app.mutators  # noqa: F401  (registers every domain's mutators)
from app import __version__
from app.core import mutations
from app.core.protocol import ErrorOut, PullIn, PushIn, PushOut, SnapshotIn, SyncMetaOut
from server import permissions
from server.api.deps import ClusterDep, CurrentUserDep, LocaleDep, NowDep, TenantDep
from server.migrate import SCHEMA_VERSION
from server.sync import pull as pulling
from server.sync import push as pushing
from server.sync import snapshot as snapshots
from server.tables import tenant_info

router = APIRouter(
    prefix="/t/{tenant}/v1/sync",
    tags=["sync"],
    responses={
        401: {"model": ErrorOut},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
        422: {"model": ErrorOut},
        503: {"model": ErrorOut},
    },
)


def _state(cluster: ClusterDep, tenant: TenantDep) -> tuple[int, int]:
    with cluster.tenant_engine(tenant).connect() as conn:
        row = conn.execute(sa.select(tenant_info.c.epoch, tenant_info.c.compaction_floor)).one()
    return int(row.epoch), int(row.compaction_floor)


@router.get("/meta", response_model=SyncMetaOut)
def meta(
    cluster: ClusterDep,
    tenant: TenantDep,
    user: CurrentUserDep,
    client_id: Annotated[uuid.UUID | None, Query()] = None,
) -> SyncMetaOut:
    epoch, floor = _state(cluster, tenant)
    last = None
    if client_id is not None:
        with cluster.tenant_engine(tenant).connect() as conn:
            last = pushing.last_mutation_id(conn, client_id)
    allowed = [n for n in mutations.names() if permissions.may_run(user.role, n)]
    return SyncMetaOut(
        tenant_id=tenant.tenant_id,
        epoch=epoch,
        schema_version=SCHEMA_VERSION,
        server_version=__version__,
        scopes=permissions.scopes_for(user.role),
        mutations=allowed,
        last_mutation_id=last,
        compaction_floor=floor,
    )


@router.post("/push", response_model=PushOut)
def push(
    body: PushIn, cluster: ClusterDep, tenant: TenantDep, user: CurrentUserDep, now: NowDep, locale: LocaleDep
) -> PushOut:
    try:
        return pushing.push(cluster.tenant_engine(tenant), user.role, user.id, body, now, locale)
    except pushing.TRANSIENT as exc:
        raise pushing.SyncUnavailable() from exc


@router.post(
    "/pull",
    responses={
        200: {"description": "a page of changes: epoch, cursor, has_more, partial, changes[{t, op, id, row}]"}
    },
)
def pull(body: PullIn, cluster: ClusterDep, tenant: TenantDep, user: CurrentUserDep) -> Response:
    epoch, floor = _state(cluster, tenant)
    try:
        page = pulling.pull(
            cluster.tenant_engine(tenant),
            epoch,
            floor,
            permissions.scopes_for(user.role),
            body.cursor,
            body.limit,
        )
    except pushing.TRANSIENT as exc:
        raise pushing.SyncUnavailable() from exc
    return Response(page.body, media_type="application/json")


@router.post(
    "/snapshot",
    responses={
        200: {
            "description": "every row of the caller's scopes from one snapshot, as newline-delimited JSON: "
            "a header {epoch, cursor, tables, counts}, one {t, row} per row, and {end: true, rows}",
            "content": {"application/x-ndjson": {}},
        }
    },
)
def snapshot(body: SnapshotIn, cluster: ClusterDep, tenant: TenantDep, user: CurrentUserDep) -> StreamingResponse:
    """Bootstrap an empty cache; then pull from the header's cursor."""
    epoch, _floor = _state(cluster, tenant)
    chunks = snapshots.stream(cluster.tenant_engine(tenant), epoch, permissions.scopes_for(user.role))
    return StreamingResponse(chunks, media_type="application/x-ndjson")
