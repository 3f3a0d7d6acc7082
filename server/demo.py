"""The demo tenant: one user per role, so a newcomer can try every workspace."""

from __future__ import annotations

from app.core.schema import utcnow
from server import users
from server.settings import Settings
from server.tenancy import Cluster

DEMO_TENANT = "demo"
DEMO_PASSWORD = "demo1234"
#: username, role, display name
DEMO_USERS = (
    ("admin", "admin", "管理员 Admin"),
    ("manager", "manager", "王经理 Manager Wang"),
    ("rep", "sales_rep", "李销售 Rep Li"),
    ("clerk", "clerk", "张仓管 Clerk Zhang"),
    ("planner", "planner", "陈计划 Planner Chen"),
)


def ensure_demo_tenant(cluster: Cluster, settings: Settings) -> bool:
    """Create the demo tenant with its users unless it exists; True when it was created."""
    if DEMO_TENANT in {t.slug for t in cluster.tenants()}:
        return False
    t = cluster.create_tenant(DEMO_TENANT)
    with cluster.tenant_engine(t).begin() as conn:
        for username, role, name in DEMO_USERS:
            users.create_user(conn, settings, utcnow(), username, DEMO_PASSWORD, role, name)
    return True
