"""`yiti demo --screenshots DIR`, run as a user would: the embedded server, the demo tenant, and
every main page of every role in English and Chinese, each PNG showing real content and every
visible character drawable by the font in use."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.ui.pages import pages_for
from server.demo import DEMO_USERS
from tests.e2e.serving import ROOT, postgres_processes, server_env


def _distinct_colours(path: Path, step: int = 7) -> int:
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is not an image"
    seen = {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
    return len(seen)


@pytest.fixture(scope="module")
def shots() -> Path:
    base = Path(tempfile.mkdtemp(prefix="yiti-shots-"))
    base.chmod(0o755)  # as root the embedded cluster runs as an unprivileged user
    out = base / "png"
    env = server_env() | {"QT_QPA_PLATFORM": "offscreen", "YITI_CONFIG_DIR": str(base / "config")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app", "demo", "--data-dir", str(base / "data"), "--screenshots", str(out)],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert postgres_processes(base / "data") == [], "the demo left its Postgres running"
        yield out
    finally:
        for proc in postgres_processes(base / "data"):
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)


def test_every_page_of_every_role_is_rendered_in_both_languages(shots: Path):
    roles = {role for _user, role, _name in DEMO_USERS}
    expected = {f"{role}_{spec.key}_{locale}.png" for role in roles for spec in pages_for(role)
                for locale in ("en", "zh_CN")}
    expected |= {f"{shot}_{locale}.png" for shot in ("login", "search", "record", "inbox")
                 for locale in ("en", "zh_CN")}
    written = {p.name for p in shots.glob("*.png")}
    assert expected <= written, sorted(expected - written)


def test_every_screenshot_shows_real_content(shots: Path):
    for png in sorted(shots.glob("*.png")):
        assert _distinct_colours(png) >= 12, f"{png.name} looks blank"


def test_every_visible_character_is_drawable_by_the_font(shots: Path):
    report = json.loads((shots / "report.json").read_text(encoding="utf-8"))
    missing = {name: page["missing_glyphs"] for name, page in report.items() if page["missing_glyphs"]}
    assert missing == {}
    assert all(page["strings"] >= 3 for page in report.values())  # an empty inbox: title, sentence, button
    roles = {role for _user, role, _name in DEMO_USERS}
    pages = [page for name, page in report.items() if any(name.startswith(f"{role}_") for role in roles)]
    assert pages and all(page["strings"] > 10 for page in pages)


def test_chinese_pages_show_more_chinese_than_their_english_twins(shots: Path):
    report = json.loads((shots / "report.json").read_text(encoding="utf-8"))
    for name, page in report.items():
        if name.endswith("_zh_CN.png"):
            english = report[name.replace("_zh_CN.png", "_en.png")]
            assert page["cjk_chars"] > english["cjk_chars"], name
