"""The CRM's business-rule errors: a code, parameters, an English template the catalog translates."""

from __future__ import annotations

from app.core.errors import DomainError, LabelledError
from app.core.i18n import N_


class NotYours(LabelledError):
    code = "crm.not_yours"
    status = 403
    labels = ("owner",)
    template = N_("%(record)s belongs to %(owner)s: you may read it but not change it.")


class OwnerNotAllowed(DomainError):
    code = "crm.owner_not_allowed"
    status = 403
    template = N_("Only a manager can give a record to another sales rep.")


class InvalidTransition(LabelledError):
    code = "crm.invalid_transition"
    status = 409
    labels = ("document", "current", "wanted")
    template = N_("This %(document)s cannot go from %(current)s to %(wanted)s.")


class ReasonRequired(LabelledError):
    code = "crm.reason_required"
    status = 422
    labels = ("document", "wanted")
    template = N_("Give a reason to set the %(document)s to %(wanted)s.")


class NotATask(DomainError):
    code = "crm.not_a_task"
    status = 409
    template = N_("Only a task can be completed or rescheduled.")


class TaskDone(DomainError):
    code = "crm.task_done"
    status = 409
    template = N_("This task was completed already; it can no longer be rescheduled.")


class NotAVisit(DomainError):
    code = "crm.not_a_visit"
    status = 409
    template = N_("Only a visit can be checked out.")


class ContactElsewhere(DomainError):
    code = "crm.contact_elsewhere"
    status = 409
    template = N_("This contact belongs to another customer.")


class MergeIntoItself(DomainError):
    code = "crm.merge_itself"
    status = 422
    template = N_("A customer cannot be merged into itself.")


class MergedAlready(DomainError):
    code = "crm.merged_already"
    status = 409
    template = N_("%(record)s was merged into another customer already.")


class UnknownCustomField(DomainError):
    code = "crm.custom_field_unknown"
    status = 422
    template = N_("There is no custom field %(key)s.")


class CustomValueInvalid(LabelledError):
    code = "crm.custom_value_invalid"
    status = 422
    labels = ("reason",)
    template = N_("The value of %(label)s is not valid: %(reason)s")


class NotYourFilter(DomainError):
    code = "crm.not_your_filter"
    status = 403
    template = N_("This saved filter belongs to another user.")
