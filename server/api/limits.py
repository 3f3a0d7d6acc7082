"""Request body size cap, enforced while the body streams in (Content-Length may be absent or lie)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import BodyTooLarge, DomainError


class RequestRefused(HTTPException):
    """A body middleware's refusal, raised while the route reads the body (FastAPI lets an
    HTTPException through there untouched); the app's handler answers with `error`'s body."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(status_code=error.status)
        self.error = error


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._refuse(scope, receive, send)
                    return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise RequestRefused(BodyTooLarge(limit=self.limit))
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # let the app's own handler shape the 413 body (translated, with the error code)
        async def refuse_body() -> Message:
            raise RequestRefused(BodyTooLarge(limit=self.limit))

        await self.app(scope, refuse_body, send)
