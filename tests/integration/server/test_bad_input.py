"""Bad requests get a 4xx with ``{"code", "message", "field"?}``, never a 500: broken and
oversized bodies, gzip bombs, wrong routes and methods, malformed Authorization headers."""

from __future__ import annotations

import asyncio
import gzip

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer

EN = {"Accept-Language": "en"}
JSON = {"content-type": "application/json", **EN}
LOGIN = {"username": "rep1", "password": "correct horse"}


def _error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) <= {"code", "message", "field"}
    assert body["code"] and body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def url(tenant):
    return f"/t/{tenant.slug}/v1"


@pytest.fixture
def small_app(settings, cluster, clock):
    """The app with small body limits, so oversized bodies stay cheap to send."""
    from server.main import create_app

    small = settings.model_copy(update={"max_body_bytes": 4096, "max_inflated_bytes": 16384})
    return create_app(small, cluster=cluster, clock=clock)


@pytest.fixture
def small(small_app):
    with TestClient(small_app) as c:
        yield c


def _streamed(app, path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, dict]:
    """POST `chunks` to the ASGI app one message each, as a server passes a chunked body on."""
    incoming = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    incoming.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, orjson.loads(body)


def test_malformed_json_is_400(client, url):
    body = _error(client.post(f"{url}/auth/login", content=b'{"username": "rep1",', headers=JSON), 400)
    assert body == {"code": "request.malformed", "message": "The request body is not valid JSON."}


def test_messages_follow_accept_language(client, url):
    zh = client.post(f"{url}/auth/login", content=b"{", headers={**JSON, "Accept-Language": "zh-CN"})
    assert _error(zh, 400)["message"] == "请求正文不是有效的 JSON。"
    en = client.post(f"{url}/auth/login", content=b"{", headers={**JSON, "Accept-Language": "en-US,en;q=0.8"})
    assert _error(en, 400)["message"] == "The request body is not valid JSON."


def test_empty_body_is_422(client, url):
    body = _error(client.post(f"{url}/auth/login", content=b"", headers=JSON), 422, "validation.invalid")
    assert body["message"] == "The value of body is not valid: it is required"


@pytest.mark.parametrize("payload", [[LOGIN], [], "rep1", 42, True, None])
def test_json_that_is_not_an_object_is_400_saying_an_object_is_wanted(client, url, payload):
    r = client.post(f"{url}/auth/login", content=orjson.dumps(payload), headers=JSON)
    assert _error(r, 400) == {"code": "request.not_object", "message": "The request body must be a JSON object."}


def test_not_an_object_message_comes_in_chinese(client, url):
    r = client.post(f"{url}/auth/login", json=[LOGIN], headers={"Accept-Language": "zh-CN"})
    assert _error(r, 400)["message"] == "请求正文必须是 JSON 对象。"


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"username": 7, "password": "x"}, "username", "it must be text"),
        ({"username": ["rep1"], "password": "x"}, "username", "it must be text"),
        ({"username": "rep1"}, "password", "it is required"),
        ({"password": "x"}, "username", "it is required"),
        ({**LOGIN, "remember_me": True}, "remember_me", "this field is not expected"),
        ({"username": "r" * 65, "password": "x"}, "username", "it is too long (at most 64 characters)"),
        ({"username": "rep1", "password": "x" * 257}, "password", "it is too long (at most 256 characters)"),
        ({"username": "", "password": "x"}, "username", "it is too short (at least 1 characters)"),
        ({"username": "rep 1", "password": "x"}, "username", "it contains characters that are not allowed"),
    ],
)
def test_wrong_missing_extra_and_over_long_fields_are_422_naming_the_field(client, url, payload, field, reason):
    body = _error(client.post(f"{url}/auth/login", json=payload, headers=EN), 422, "validation.invalid")
    assert body["field"] == field
    assert body["message"] == f"The value of {field} is not valid: {reason}"


def test_field_errors_come_in_chinese(client, url):
    r = client.post(f"{url}/auth/login", json={"username": "rep1"}, headers={"Accept-Language": "zh-CN"})
    assert _error(r, 422)["message"] == "password 的值无效：为必填项"


def test_user_name_that_grows_when_lowercased_is_422_not_500(client, url, tenant, add_user, login):
    add_user(tenant, "boss", "admin")
    name = "İ" * 64  # 64 letters, but 128 once lowercased ("i" + combining dot)
    r = client.post(f"{url}/auth/login", json={"username": name, "password": "whatever"}, headers=EN)
    assert _error(r, 422, "validation.invalid")["field"] == "username"
    admin = {**bearer(login(tenant, "boss")["access_token"]), **EN}
    r = client.post(
        f"{url}/admin/users", json={"username": name, "password": "long enough", "role": "clerk"}, headers=admin
    )
    assert _error(r, 422, "validation.invalid")["field"] == "username"
    ok = client.post(
        f"{url}/admin/users", json={"username": "İ" * 32, "password": "long enough", "role": "clerk"}, headers=admin
    )
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None])
def test_body_that_is_not_declared_json_is_415(client, url, content_type):
    headers = {"content-type": content_type, **EN} if content_type else EN
    r = client.post(f"{url}/auth/login", content=orjson.dumps(LOGIN), headers=headers)
    assert _error(r, 415) == {"code": "http.415", "message": "Send the request body as JSON."}


def test_oversized_body_is_413_before_it_is_read(small, url):
    r = small.post(f"{url}/auth/login", content=b"x" * 4097, headers=JSON)
    assert _error(r, 413, "request.too_large")["message"] == "The request is too large (limit 4096 bytes)."


def test_body_at_the_limit_is_read(small, url):
    payload = orjson.dumps({**LOGIN, "password": "x" * 200})
    padded = payload + b" " * (4096 - len(payload))
    assert _error(small.post(f"{url}/auth/login", content=padded, headers=JSON), 401, "auth.invalid_credentials")


def test_oversized_chunked_body_without_content_length_is_413(small_app, url):
    status, body = _streamed(
        small_app, f"{url}/auth/login", [b"x" * 1024] * 8, [(b"content-type", b"application/json")]
    )
    assert status == 413
    assert body["code"] == "request.too_large"


def test_small_chunked_body_is_read_whole(small_app, url):
    raw = orjson.dumps(LOGIN)
    chunks = [raw[i : i + 5] for i in range(0, len(raw), 5)]
    status, body = _streamed(small_app, f"{url}/auth/login", chunks, [(b"content-type", b"application/json")])
    assert (status, body["code"]) == (401, "auth.invalid_credentials")


def test_body_whose_content_length_lies_is_cut_off_at_the_limit(small_app, url):
    headers = [(b"content-type", b"application/json"), (b"content-length", b"10")]
    status, body = _streamed(small_app, f"{url}/auth/login", [b"x" * 3000] * 3, headers)
    assert (status, body["code"]) == (413, "request.too_large")


def test_gzip_body_is_inflated_and_read(small, url):
    headers = {**JSON, "content-encoding": "gzip"}
    r = small.post(f"{url}/auth/login", content=gzip.compress(orjson.dumps(LOGIN)), headers=headers)
    _error(r, 401, "auth.invalid_credentials")


def test_gzip_bomb_is_413_naming_the_inflated_limit(small, url):
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < 4096  # small on the wire, sixty times the inflated limit
    r = small.post(f"{url}/auth/login", content=bomb, headers={**JSON, "content-encoding": "gzip"})
    assert _error(r, 413, "request.too_large")["message"] == "The request is too large (limit 16384 bytes)."


def test_gzip_bomb_at_the_default_limits_is_413(client, url, settings):
    bomb = gzip.compress(b"\0" * (settings.max_inflated_bytes + 1))
    r = client.post(f"{url}/auth/login", content=bomb, headers={**JSON, "content-encoding": "gzip"})
    _error(r, 413, "request.too_large")


def test_gzip_body_over_the_raw_limit_is_413_not_500(small, small_app, url):
    big = gzip.compress(orjson.dumps({**LOGIN, "password": "x" * 10}) + b" " * 100) + b"\0" * 5000
    r = small.post(f"{url}/auth/login", content=big, headers={**JSON, "content-encoding": "gzip"})
    _error(r, 413, "request.too_large")
    chunks = [big[i : i + 1000] for i in range(0, len(big), 1000)]
    headers = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]
    status, body = _streamed(small_app, f"{url}/auth/login", chunks, headers)
    assert (status, body["code"]) == (413, "request.too_large")


@pytest.mark.parametrize("garbage", [b"not gzip at all", b"\x1f\x8b\x08\x00garbage", gzip.compress(b"{}")[:12]])
def test_garbage_or_cut_off_gzip_is_400(client, url, garbage):
    r = client.post(f"{url}/auth/login", content=garbage, headers={**JSON, "content-encoding": "gzip"})
    assert _error(r, 400) == {"code": "request.bad_encoding", "message": "The request body is not valid gzip."}


def test_unknown_route_is_404(client, url):
    assert _error(client.get(f"{url}/nowhere", headers=EN), 404) == {
        "code": "http.404",
        "message": "There is nothing at this address.",
    }
    _error(client.get("/nothing/here"), 404, "http.404")


def test_wrong_method_is_405(client, url):
    body = _error(client.get(f"{url}/auth/login", headers=EN), 405, "http.405")
    assert body["message"] == "This method is not allowed here."
    _error(client.delete(f"{url}/admin/users"), 405, "http.405")


@pytest.mark.parametrize(
    "authorization",
    [
        "yta_no_scheme_at_all",
        "Basic cmVwMTpjb3JyZWN0IGhvcnNl",
        "Bearer",
        "Bearer    ",
        "Bearer not-a-token-we-issued",
        "Token abc",
        "Bearer a b c",
        "Bearer " + "a" * 500,
    ],
)
def test_malformed_authorization_is_401(client, url, authorization):
    r = client.get(f"{url}/auth/me", headers={"Authorization": authorization, **EN})
    assert _error(r, 401, "auth.not_authenticated")["message"] == (
        "Please sign in again: your session is missing, expired or was revoked."
    )


def test_very_long_authorization_is_4xx_not_500(client, url):
    r = client.get(f"{url}/auth/me", headers={"Authorization": "Bearer " + "a" * 100_000})
    assert 400 <= r.status_code < 500
    assert r.json()["code"]


@pytest.mark.parametrize("raw", ["Bearer 令牌".encode(), b"Bearer \xff\xfe\x00", "Bearer yta_é".encode("latin-1")])
def test_non_ascii_authorization_is_401(client, url, raw):
    _error(client.get(f"{url}/auth/me", headers={"Authorization": raw}), 401, "auth.not_authenticated")


def test_the_right_token_in_a_lowercase_scheme_still_works(client, url, tenant, add_user, login):
    add_user(tenant, "rep1")
    token = login(tenant, "rep1")["access_token"]
    assert client.get(f"{url}/auth/me", headers={"Authorization": f"bearer {token}"}).status_code == 200
