"""CRM writes as sync mutators: importing this module registers every one of them."""

from app.crm import (
    activities,
    cases,
    contacts,
    custom_fields,
    customers,
    leads,
    merge,
    opportunities,
)

__all__ = ["activities", "cases", "contacts", "custom_fields", "customers", "leads", "merge", "opportunities"]
