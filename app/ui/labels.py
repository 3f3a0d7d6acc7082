"""Translated labels of codes the UI shows in many places (roles, sync states)."""

from __future__ import annotations

from app.core.i18n import N_, _

ROLE_LABELS = {
    "admin": N_("Administrator"),
    "manager": N_("Manager"),
    "sales_rep": N_("Sales rep"),
    "clerk": N_("Warehouse clerk"),
    "planner": N_("Planner"),
}


def role_label(role: str) -> str:
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role
