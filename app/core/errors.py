"""Domain errors: a stable code plus parameters, translated only where they are shown.

Never raise a bare string at a user. Each error class names its code, its HTTP status (for the
server edge) and an English message template (msgid, ``%(param)s`` placeholders) that the
catalog translates.
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.core.i18n import N_, gettext_for


class DomainError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    template: ClassVar[str] = N_("The request could not be completed.")

    def __init__(self, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)

    def message(self, locale: str) -> str:
        text = gettext_for(locale, self.template)
        values = {"field": self.field, **self.params}
        return text % values if "%(" in text else text

    def to_body(self, locale: str) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message(locale)}
        if self.field:
            body["field"] = self.field
        return body


class LabelledError(DomainError):
    """An error whose listed parameters are msgids too (state names), translated with the template."""

    labels: ClassVar[tuple[str, ...]] = ()

    def message(self, locale: str) -> str:
        text = gettext_for(locale, self.template)
        values = {"field": self.field, **self.params}
        for name in self.labels:
            if isinstance(values.get(name), str):
                values[name] = gettext_for(locale, values[name])
        return text % values if "%(" in text else text


class ValidationFailed(DomainError):
    code = "validation.invalid"
    status = 422
    template = N_("The value of %(field)s is not valid: %(reason)s")

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field=field, reason=reason)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    template = N_("%(what)s was not found.")


class TenantNotFound(DomainError):
    code = "tenant.not_found"
    status = 404
    template = N_("There is no tenant called %(tenant)s.")


class TenantExists(DomainError):
    code = "tenant.exists"
    status = 409
    template = N_("A tenant called %(tenant)s exists already.")


class InvalidSlug(DomainError):
    code = "tenant.invalid_slug"
    status = 422
    template = N_(
        "A tenant name must be 2 to 40 lowercase letters, digits or underscores, starting with a letter."
    )


class AuthFailed(DomainError):
    code = "auth.invalid_credentials"
    status = 401
    template = N_("Wrong user name or password.")


class NotAuthenticated(DomainError):
    code = "auth.not_authenticated"
    status = 401
    template = N_("Please sign in again: your session is missing, expired or was revoked.")


class UserDisabled(DomainError):
    code = "auth.user_disabled"
    status = 401
    template = N_("This account is disabled. Ask your administrator.")


class LoginThrottled(DomainError):
    code = "auth.throttled"
    status = 429
    template = N_("Too many failed sign-ins. Try again in %(seconds)s seconds.")


class PermissionDenied(DomainError):
    code = "auth.forbidden"
    status = 403
    template = N_("Your role (%(role)s) may not do this: %(action)s.")


class UserExists(DomainError):
    code = "user.exists"
    status = 409
    template = N_("A user called %(username)s exists already.")


class WeakPassword(DomainError):
    code = "user.weak_password"
    status = 422
    template = N_("A password needs at least %(min)s characters.")


class LastAdmin(DomainError):
    code = "user.last_admin"
    status = 409
    template = N_("The last active administrator cannot be disabled or demoted.")


class BodyTooLarge(DomainError):
    code = "request.too_large"
    status = 413
    template = N_("The request is too large (limit %(limit)s bytes).")


class MalformedRequest(DomainError):
    code = "request.malformed"
    status = 400
    template = N_("The request body is not valid JSON.")


class BodyNotObject(DomainError):
    code = "request.not_object"
    status = 400
    template = N_("The request body must be a JSON object.")


class BadContentEncoding(DomainError):
    code = "request.bad_encoding"
    status = 400
    template = N_("The request body is not valid gzip.")
