"""Fonts and catalogs are found from a source tree and from the frozen desktop bundle."""

import gettext
import shutil
import sys
from pathlib import Path

import pytest

from app.core import i18n
from app.core.resources import resource_path, resources_dir

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def frozen_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run as the one-folder bundle does: `sys.frozen` set, files unpacked under `sys._MEIPASS`."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path


def test_from_a_source_tree_resources_are_the_checkouts_folder() -> None:
    assert resources_dir() == ROOT / "resources"
    assert resource_path("fonts", "wqy-microhei.ttc").is_file()
    assert resource_path("locale", "zh_CN", "LC_MESSAGES", "yiti.mo").is_file()


def test_in_the_bundle_resources_are_read_from_the_unpacked_folder(frozen_bundle: Path) -> None:
    assert resources_dir() == frozen_bundle / "resources"
    assert resource_path("fonts", "wqy-microhei.ttc") == frozen_bundle / "resources" / "fonts" / "wqy-microhei.ttc"


def test_in_the_bundle_the_chinese_catalog_is_loaded_from_the_unpacked_folder(frozen_bundle: Path) -> None:
    source_mo = ROOT / "resources/locale/zh_CN/LC_MESSAGES/yiti.mo"
    unpacked = frozen_bundle / "resources/locale/zh_CN/LC_MESSAGES"
    unpacked.mkdir(parents=True)
    shutil.copy(source_mo, unpacked / "yiti.mo")
    msgid, msgstr = _a_translated_message(source_mo)

    locale_dir = str(resource_path("locale"))

    assert gettext.find(i18n.DOMAIN, locale_dir, ["zh_CN"]) == str(unpacked / "yiti.mo")
    assert gettext.translation(i18n.DOMAIN, localedir=locale_dir, languages=["zh_CN"]).gettext(msgid) == msgstr


def _a_translated_message(mo: Path) -> tuple[str, str]:
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    pairs = [(k, v) for k, v in catalog._catalog.items() if isinstance(k, str) and k and v != k]
    assert pairs, "the zh_CN catalog translates nothing"
    return pairs[0]


def test_a_leftover_meipass_without_a_frozen_app_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert resources_dir() == ROOT / "resources"


def test_the_catalogs_are_looked_up_through_the_resources_helper() -> None:
    assert resource_path("locale") == i18n.LOCALE_DIR
