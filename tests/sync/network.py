"""The network between a SyncClient and the in-process server: Starlette's TestClient with
faults that can be armed per endpoint, and a journal of every push the server executed.

Faults, each on the matching requests after `skip` of them, `times` in a row:
* ``reset``: the connection fails before the request reaches the server;
* ``drop``: the server runs the request (and commits), the client never sees the answer;
* ``duplicate``: the request reaches the server twice, the client sees the second answer;
* ``kill``: the server runs the request, then the client process dies (``ClientKilled``);
* ``cut``: a streamed answer (the snapshot) breaks after its first chunk.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import orjson
from fastapi.testclient import TestClient

#: "pull" faults hit snapshot downloads too (both are pulling); "snapshot" ones only those
Endpoint = Literal["meta", "push", "pull", "snapshot"]
Action = Literal["reset", "drop", "duplicate", "kill", "cut"]

#: what a client sees when a connection breaks before the server got the request
BEFORE_SERVER: dict[str, type[httpx.TransportError]] = {
    "connect": httpx.ConnectError,
    "write": httpx.WriteError,
}
#: what a client sees when the answer is lost after the server committed
AFTER_SERVER: dict[str, type[httpx.TransportError]] = {
    "read": httpx.ReadError,
    "protocol": httpx.RemoteProtocolError,
}


class ClientKilled(BaseException):
    """The client process died here: nothing in the client may catch it (not an Exception)."""


@dataclass
class Fault:
    endpoint: Endpoint
    action: Action
    skip: int = 0
    times: int = 1
    error: str = "connect"
    fired: int = 0


#: (client_id, request body, response body) of one push the server executed
PushSeen = Callable[[dict[str, Any], dict[str, Any]], None]


def endpoint_of(path: str) -> str:
    """meta / push / pull / snapshot for the sync routes, "other" for the rest."""
    return path.rsplit("/", 1)[-1] if "/v1/sync/" in path else "other"


def _hits(fault: Fault, kind: str) -> bool:
    return fault.endpoint == kind or (fault.endpoint == "pull" and kind == "snapshot")


def request_json(request: httpx.Request) -> Any:
    content = request.content
    if request.headers.get("content-encoding") == "gzip":
        content = gzip.decompress(content)
    return orjson.loads(content) if content else None


class Network(TestClient):
    """One client's link to the server app."""

    def __init__(self, app: Any, on_push: PushSeen) -> None:
        super().__init__(app)
        self.on_push = on_push
        self.faults: list[Fault] = []
        self.sent: dict[str, int] = {}

    def arm(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def disarm(self) -> None:
        self.faults.clear()

    def _fault_for(self, kind: str) -> Fault | None:
        for fault in self.faults:
            if not _hits(fault, kind) or fault.fired >= fault.times:
                continue
            if fault.skip > 0:
                fault.skip -= 1
                continue
            fault.fired += 1
            return fault
        return None

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        kind = endpoint_of(request.url.path)
        self.sent[kind] = self.sent.get(kind, 0) + 1
        fault = self._fault_for(kind)
        if fault is None:
            return self._to_server(kind, request, **kwargs)
        if fault.action == "reset":
            raise BEFORE_SERVER[fault.error]("connection reset by peer", request=request)
        response = self._to_server(kind, request, **kwargs)
        if fault.action == "cut":
            if kwargs.get("stream"):
                response.stream = _FirstChunkOnly(response.stream, request)
            return response
        if fault.action == "duplicate":
            response.close()
            return self._to_server(kind, request, **kwargs)
        response.read()
        response.close()
        if fault.action == "kill":
            raise ClientKilled(f"client killed after the server answered {request.url.path}")
        raise AFTER_SERVER[fault.error]("server disconnected without sending a response", request=request)

    def _to_server(self, kind: str, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = super().send(request, **kwargs)
        if kind == "push" and response.status_code == 200:
            response.read()
            self.on_push(request_json(request), orjson.loads(response.content))
        return response


class _FirstChunkOnly(httpx.SyncByteStream):
    def __init__(self, inner: Any, request: httpx.Request) -> None:
        self.inner = inner
        self.request = request

    def __iter__(self) -> Any:
        for chunk in self.inner:
            yield chunk[: max(1, len(chunk) // 2)]
            break
        raise httpx.ReadError("connection reset mid-stream", request=self.request)

    def close(self) -> None:
        self.inner.close()
