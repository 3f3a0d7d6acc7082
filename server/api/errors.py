"""Every error leaves as ``{"code", "message", "field"?}`` with a 4xx status, translated by
Accept-Language. Anything else is a bug: a 500 with a generic body, and the traceback in the log."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core import i18n
from app.core.errors import BodyNotObject, DomainError, LoginThrottled, MalformedRequest
from app.core.i18n import N_
from server.api.limits import RequestRefused

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    404: N_("There is nothing at this address."),
    405: N_("This method is not allowed here."),
    415: N_("Send the request body as JSON."),
}


def _locale(request: Request) -> str:
    return i18n.negotiate(request.headers.get("accept-language"))


def _field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _validation_reason(error: dict[str, Any], locale: str) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    reasons = {
        "missing": N_("it is required"),
        "string_too_long": N_("it is too long (at most %(max_length)s characters)"),
        "string_too_short": N_("it is too short (at least %(min_length)s characters)"),
        "string_type": N_("it must be text"),
        "bool_type": N_("it must be true or false"),
        "bool_parsing": N_("it must be true or false"),
        "int_type": N_("it must be a whole number"),
        "int_parsing": N_("it must be a whole number"),
        "literal_error": N_("it must be one of %(expected)s"),
        "string_pattern_mismatch": N_("it contains characters that are not allowed"),
        "extra_forbidden": N_("this field is not expected"),
        "model_attributes_type": N_("it must be an object"),
        "dict_type": N_("it must be an object"),
        "uuid_parsing": N_("it must be an id"),
        "uuid_type": N_("it must be an id"),
    }
    template = reasons.get(kind, N_("it has the wrong form"))
    text = i18n.gettext_for(locale, template)
    try:
        return text % {k: v for k, v in ctx.items()} if "%(" in text else text
    except (KeyError, TypeError):
        return text


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        headers = {}
        if isinstance(exc, LoginThrottled):
            headers["Retry-After"] = str(exc.params["seconds"])
        return JSONResponse(exc.to_body(_locale(request)), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        locale = _locale(request)
        errors = exc.errors()
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return JSONResponse(MalformedRequest().to_body(locale), status_code=400)
        if first.get("type") in ("model_attributes_type", "dict_type") and tuple(first.get("loc", ())) == ("body",):
            if isinstance(first.get("input"), bytes):  # FastAPI parses only bodies declared as JSON
                message = i18n.gettext_for(locale, _HTTP_MESSAGES[415])
                return JSONResponse({"code": "http.415", "message": message}, status_code=415)
            return JSONResponse(BodyNotObject().to_body(locale), status_code=400)
        field = _field(first.get("loc", ()))
        reason = _validation_reason(first, locale)
        template = i18n.gettext_for(locale, N_("The value of %(field)s is not valid: %(reason)s"))
        body: dict[str, Any] = {
            "code": "validation.invalid",
            "message": template % {"field": field or "body", "reason": reason},
        }
        if field:
            body["field"] = field
        return JSONResponse(body, status_code=422)

    @app.exception_handler(RequestRefused)
    async def body_refused(request: Request, exc: RequestRefused) -> JSONResponse:
        return JSONResponse(exc.error.to_body(_locale(request)), status_code=exc.error.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        locale = _locale(request)
        template = _HTTP_MESSAGES.get(exc.status_code, N_("The request could not be completed."))
        return JSONResponse(
            {"code": f"http.{exc.status_code}", "message": i18n.gettext_for(locale, template)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        locale = _locale(request)
        message = i18n.gettext_for(locale, N_("Something went wrong on the server. It has been logged."))
        return JSONResponse({"code": "internal", "message": message}, status_code=500)
