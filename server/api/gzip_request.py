"""Gzip request bodies (``Content-Encoding: gzip``), inflated by the server itself with a cap on the
inflated size, so a small bomb cannot fill memory."""

from __future__ import annotations

import zlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import BadContentEncoding, BodyTooLarge
from server.api.limits import RequestRefused


class GzipRequest:
    def __init__(self, app: ASGIApp, max_inflated: int) -> None:
        self.app = app
        self.max_inflated = max_inflated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if headers.get(b"content-encoding", b"").strip().lower() != b"gzip":
            await self.app(scope, receive, send)
            return
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        chunks: list[bytes] = []
        size = 0
        failure: RequestRefused | None = None
        more = True
        while more:
            try:
                message = await receive()
            except RequestRefused as refused:
                # the raw body is over its limit: answer from inside the app, where errors get their body
                failure = failure or refused
                break
            if message["type"] != "http.request":
                break
            more = message.get("more_body", False)
            if failure is not None:
                continue  # read the rest (capped by BodyLimit), so the client gets to read our answer
            try:
                piece = inflater.decompress(message.get("body", b""), self.max_inflated + 1 - size)
            except zlib.error:
                failure = RequestRefused(BadContentEncoding())
                continue
            size += len(piece)
            if size > self.max_inflated or inflater.unconsumed_tail:
                failure = RequestRefused(BodyTooLarge(limit=self.max_inflated))
                continue
            chunks.append(piece)
        if failure is None and not inflater.eof:
            failure = RequestRefused(BadContentEncoding())  # cut off before the gzip stream ended
        body = b"".join(chunks)
        new_headers = [
            (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
        ]
        new_headers.append((b"content-length", str(len(body)).encode()))
        scope = {**scope, "headers": new_headers}
        sent = False

        async def inflated() -> Message:
            nonlocal sent
            if failure is not None:
                raise failure
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, inflated, send)
