"""The demo tenant: one user per role (three sales reps), so a newcomer can try every workspace,
and realistic bilingual data written once (see ``server.demo_data``)."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import psycopg
import sqlalchemy as sa

from app.core.schema import app_user, utcnow
from server import demo_data, users
from server.settings import Settings
from server.tenancy import Cluster, Tenant

DEMO_TENANT = "demo"
DEMO_PASSWORD = "demo1234"
#: username, role, display name; the first user of a role is the one the demo signs in as
DEMO_USERS = (
    ("admin", "admin", "管理员 Admin"),
    ("manager", "manager", "王经理 Manager Wang"),
    ("rep", "sales_rep", "李销售 Rep Li"),
    ("clerk", "clerk", "张仓管 Clerk Zhang"),
    ("planner", "planner", "陈计划 Planner Chen"),
    ("rep2", "sales_rep", "刘销售 Rep Liu"),
    ("rep3", "sales_rep", "周销售 Rep Zhou"),
)


@dataclass(frozen=True)
class DemoTenant:
    """What `ensure_demo_tenant` found and did."""

    tenant: Tenant
    #: the tenant was made by this call
    created: bool
    #: the size of the data the tenant holds ("small" or "large")
    size: str
    #: rows written by this call per table (empty when the data was there already)
    seeded: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: customers in the tenant
    customers: int = 0

    def kept_other_size(self, asked: str) -> bool:
        """True when `asked` differs from the size of the data kept from an earlier run."""
        return not self.seeded and asked != self.size


def size_of(customers: int) -> str:
    """The demo size a tenant with `customers` customers was seeded with."""
    small, large = demo_data.SIZES["small"].customers, demo_data.SIZES["large"].customers
    return "large" if customers >= (small + large) // 2 else "small"


def _tenant_dsn(cluster: Cluster, t: Tenant) -> str:
    return cluster.database_url(t.dbname, t.dsn).set(drivername="postgresql").render_as_string(hide_password=False)


def _ensure_users(cluster: Cluster, settings: Settings, t: Tenant) -> dict[str, list[uuid.UUID]]:
    """Add the demo users missing from the tenant; returns user ids by role, in DEMO_USERS order."""
    with cluster.tenant_engine(t).begin() as conn:
        found = {row.username: row.id for row in conn.execute(sa.select(app_user.c.username, app_user.c.id))}
        for username, role, name in DEMO_USERS:
            if username not in found:
                found[username] = users.create_user(conn, settings, utcnow(), username, DEMO_PASSWORD, role, name).id
    by_role: dict[str, list[uuid.UUID]] = defaultdict(list)
    for username, role, _name in DEMO_USERS:
        by_role[role].append(found[username])
    return dict(by_role)


def ensure_demo_tenant(cluster: Cluster, settings: Settings, size: str = "small",
                       template: str | None = None) -> DemoTenant:
    """Make the demo tenant with its users and data unless it is there already (`template`: a
    migrated database to copy instead of migrating a new one).

    The data is written once, in one transaction: a second call finds it and adds nothing (also
    when asked for another size: the data kept says which size it is)."""
    created = DEMO_TENANT not in {t.slug for t in cluster.tenants()}
    t = cluster.create_tenant(DEMO_TENANT, template=template) if created else cluster.lookup(DEMO_TENANT)
    by_role = _ensure_users(cluster, settings, t)
    with psycopg.connect(_tenant_dsn(cluster, t), autocommit=True) as conn:
        customers = demo_data.demo_customers(conn)
        if customers:
            return DemoTenant(t, created, size_of(customers), customers=customers)
        started = time.perf_counter()
        seeded = demo_data.seed_demo(conn, demo_data.SIZES[size], by_role)
    return DemoTenant(t, created, size, seeded, round(time.perf_counter() - started, 2), seeded.get("party", 0))
