"""The one HTTP client wrapper of the sync client: bearer tokens with refresh, gzip bodies, and
the server's ``{"code", "message", "field"}`` errors as exceptions.

The refresh token lives in the OS keyring (service ``yiti``, key ``server|tenant|user``), the
access token only in memory.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import keyring
import keyring.errors
import orjson

from app.core.errors import DomainError, NotAuthenticated
from app.core.i18n import N_, current_locale
from app.core.protocol import TokenPairOut

log = logging.getLogger(__name__)

KEYRING_SERVICE = "yiti"
#: request bodies larger than this are gzipped
GZIP_OVER = 1024


class Offline(Exception):
    """The server could not be reached (no network, refused, timed out, reset)."""


class ApiError(DomainError):
    """An error the server answered with; ``code`` is the server's."""

    template = N_("The server refused the request: %(reason)s")

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(field=field, reason=message)
        self.status_code = status
        self.server_code = code
        self.server_message = message

    @property
    def error_code(self) -> str:
        return self.server_code

    def __str__(self) -> str:
        return f"{self.status_code} {self.server_code}: {self.server_message}"


def keyring_key(server: str, tenant: str, username: str) -> str:
    return f"{server}|{tenant}|{username}"


class Transport:
    def __init__(self, http: httpx.Client, server: str, tenant: str) -> None:
        self.http = http
        self.server = server
        self.tenant = tenant
        self.username: str | None = None
        self.access_token: str | None = None
        #: used when the OS has no keyring: the refresh token then lives only in this process
        self._memory_refresh: str | None = None
        self.on_tokens: Callable[[TokenPairOut], None] | None = None

    # --- tokens -------------------------------------------------------------------------------
    def _key(self) -> str:
        return keyring_key(self.server, self.tenant, self.username or "")

    def refresh_token(self) -> str | None:
        if self.username is None:
            return None
        try:
            return keyring.get_password(KEYRING_SERVICE, self._key()) or self._memory_refresh
        except keyring.errors.KeyringError:
            return self._memory_refresh

    def refresh_token_in_keyring(self) -> bool:
        if self.username is None:
            return False
        try:
            return keyring.get_password(KEYRING_SERVICE, self._key()) is not None
        except keyring.errors.KeyringError:
            return False

    def _keep_refresh(self, token: str | None) -> None:
        self._memory_refresh = token
        try:
            if token is None:
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    keyring.delete_password(KEYRING_SERVICE, self._key())
            else:
                keyring.set_password(KEYRING_SERVICE, self._key(), token)
        except keyring.errors.KeyringError:
            log.warning("no usable keyring: the sign-in lasts only while this program runs")

    def _take(self, pair: TokenPairOut) -> TokenPairOut:
        self.username = pair.user.username
        self.access_token = pair.access_token
        self._keep_refresh(pair.refresh_token)
        if self.on_tokens is not None:
            self.on_tokens(pair)
        return pair

    def login(self, username: str, password: str) -> TokenPairOut:
        self.username = username
        body = self._send("POST", "auth/login", {"username": username, "password": password}, auth=False)
        return self._take(TokenPairOut.model_validate(body))

    def refresh(self) -> TokenPairOut:
        """A new token pair from the stored refresh token; NotAuthenticated when there is none
        or the server refused it (the user signs in again; the cache stays usable offline)."""
        token = self.refresh_token()
        if not token:
            raise NotAuthenticated()
        try:
            body = self._send("POST", "auth/refresh", {"refresh_token": token}, auth=False)
        except ApiError as exc:
            if exc.status_code in (400, 401, 422):
                self.access_token = None
                self._keep_refresh(None)
                raise NotAuthenticated() from exc
            raise
        return self._take(TokenPairOut.model_validate(body))

    def forget(self) -> None:
        self.access_token = None
        self._keep_refresh(None)

    # --- requests -----------------------------------------------------------------------------
    def call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        """An authenticated call under /t/{tenant}/v1/; refreshes the access token once on 401."""
        if self.access_token is None:
            self.refresh()
        try:
            return self._send(method, path, body, params=params)
        except ApiError as exc:
            if exc.status_code != 401:
                raise
        self.refresh()
        return self._send(method, path, body, params=params)

    def health(self) -> bool:
        """Whether the server answers at all (no sign-in needed)."""
        try:
            return self.http.get(self._url("/health", tenant=False), timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def _url(self, path: str, tenant: bool = True) -> str:
        prefix = f"/t/{self.tenant}/v1/" if tenant else ""
        return (prefix + path) if tenant else path

    def stream(self, path: str, body: Any) -> contextlib.AbstractContextManager[Iterator[bytes]]:
        """An authenticated POST whose answer is read line by line (newline-delimited JSON)."""
        return self._stream(path, body)

    @contextlib.contextmanager
    def _stream(self, path: str, body: Any) -> Iterator[Iterator[bytes]]:
        if self.access_token is None:
            self.refresh()
        for attempt in (1, 2):
            content, headers = self._request_parts(body, auth=True)
            try:
                with self.http.stream("POST", self._url(path), content=content, headers=headers) as response:
                    if response.status_code == 401 and attempt == 1:
                        response.read()
                        self.refresh()
                        continue
                    if response.status_code >= 400:
                        response.read()
                        raise _error(response)
                    yield (line.encode() for line in response.iter_lines() if line)
                    return
            except httpx.TransportError as exc:  # also while the caller reads the lines
                raise Offline(str(exc)) from exc

    def _request_parts(self, body: Any, auth: bool) -> tuple[bytes | None, dict[str, str]]:
        headers = {"Accept": "application/json", "Accept-Language": current_locale().replace("_", "-")}
        content: bytes | None = None
        if body is not None:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
            if len(content) > GZIP_OVER:
                content = gzip.compress(content, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        if auth and self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        return content, headers

    def _send(
        self, method: str, path: str, body: Any = None, auth: bool = True, params: dict[str, str] | None = None
    ) -> Any:
        content, headers = self._request_parts(body, auth)
        try:
            response = self.http.request(method, self._url(path), content=content, headers=headers, params=params)
        except httpx.TransportError as exc:
            raise Offline(str(exc)) from exc
        if response.status_code >= 400:
            raise _error(response)
        return orjson.loads(response.content) if response.content else None


def _error(response: httpx.Response) -> ApiError:
    try:
        body = orjson.loads(response.content)
        return ApiError(response.status_code, str(body["code"]), str(body.get("message", "")), body.get("field"))
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return ApiError(response.status_code, f"http.{response.status_code}", response.text[:200])
