"""Imports every domain's mutators, so the registry is complete wherever mutations run
(the server's push, the client's outbox and rebase)."""

import app.crm.mutators
import app.erp.mutators

__all__ = ["app"]
