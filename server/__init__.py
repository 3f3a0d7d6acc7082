"""Yiti's thin per-tenant server: tenancy, auth, admin and (later) sync endpoints."""
