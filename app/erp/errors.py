"""Inventory, sales and purchasing business-rule errors: a code, parameters, a template."""

from __future__ import annotations

from app.core.errors import DomainError, LabelledError
from app.core.i18n import N_


class InvalidTransition(LabelledError):
    code = "erp.invalid_transition"
    status = 409
    labels = ("document", "current", "action")
    template = N_("This %(document)s is %(current)s: it cannot %(action)s.")


class NotStocked(DomainError):
    code = "erp.not_stocked"
    status = 422
    template = N_("%(product)s is a service: it has no stock to move.")


class WrongLocations(LabelledError):
    code = "erp.wrong_locations"
    status = 422
    labels = ("kind",)
    template = N_("A %(kind)s cannot go from %(source)s to %(target)s.")


class ReasonRequired(DomainError):
    code = "erp.reason_required"
    status = 422
    template = N_("Give a reason for this stock adjustment.")


class EmptyDocument(DomainError):
    code = "erp.empty_document"
    status = 422
    template = N_("Add at least one line.")


class OverPick(DomainError):
    code = "erp.over_pick"
    status = 422
    template = N_("%(product)s: %(picked)s picked, but only %(wanted)s are to be shipped.")


class OverReceipt(DomainError):
    code = "erp.over_receipt"
    status = 422
    template = N_("%(product)s: receiving %(qty)s would exceed the %(allowed)s this order allows.")


class NotOnDocument(DomainError):
    code = "erp.not_on_document"
    status = 422
    template = N_("%(product)s is not on this document.")


class UnknownUnit(DomainError):
    code = "erp.unknown_unit"
    status = 422
    template = N_("%(product)s has no unit %(uom)s.")


class NotASupplier(DomainError):
    code = "erp.not_a_supplier"
    status = 422
    template = N_("%(party)s is not a supplier.")


class NoSuchLocation(DomainError):
    code = "erp.no_such_location"
    status = 422
    template = N_("There is no location %(location)s in this warehouse.")


class NoWarehouse(DomainError):
    code = "erp.no_warehouse"
    status = 422
    template = N_("There is no warehouse to ship from: ask a manager to set one up.")


class NotInCount(DomainError):
    code = "erp.not_in_count"
    status = 422
    template = N_("%(location)s is not a location of this stock count.")
