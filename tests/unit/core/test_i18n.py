"""The catalog is complete and compiled: no string reaches a Chinese user untranslated."""

import io
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.core import i18n
from app.core.errors import LoginThrottled, ValidationFailed

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "resources/locale/zh_CN/LC_MESSAGES/yiti.po"
MO = ROOT / "resources/locale/zh_CN/LC_MESSAGES/yiti.mo"


def _extract() -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "yiti.pot"
        _run_extract(pot)
        catalog = read_po(io.StringIO(pot.read_text(encoding="utf-8")))
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _run_extract(pot: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-k",
            "gettext_for:2",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )


def test_every_source_string_has_a_chinese_translation():
    with PO.open("rb") as f:
        po = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(f) if m.id}
    missing = sorted(s for s in _extract() if not po.get(s))
    assert not missing, f"untranslated (run `make catalogs` and translate): {missing}"


def test_compiled_catalog_matches_the_po_file():
    with PO.open("rb") as f:
        po = {_key(m.id): _key(m.string) for m in read_po(f) if m.id}
    with MO.open("rb") as f:
        mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    assert po == mo, "yiti.mo is stale: run `make catalogs`"


def _key(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A plural entry's forms as a tuple (the .po reader gives tuples, the .mo reader lists)."""
    return value if isinstance(value, str) else tuple(value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("fr-FR,en;q=0.5", "en"),
        ("de", "zh_CN"),
        (None, "zh_CN"),
        ("en;q=0.2, zh-TW;q=0.8", "zh_CN"),
        ("garbage;;;", "zh_CN"),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert i18n.negotiate(header) == expected


def test_errors_translate_with_their_parameters():
    err = LoginThrottled(seconds=30)
    assert err.message("en") == "Too many failed sign-ins. Try again in 30 seconds."
    assert err.message("zh_CN") == "登录失败次数过多，请在 30 秒后重试。"
    bad = ValidationFailed("email", "x")
    assert bad.to_body("en") == {
        "code": "validation.invalid",
        "message": "The value of email is not valid: x",
        "field": "email",
    }
