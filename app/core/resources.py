"""Where the files of ``resources/`` (fonts, compiled catalogs) are, in a source tree and in the
desktop bundle.

From a checkout (or an editable install) they sit beside the ``app`` package; the one-folder
bundle built by ``build.spec`` unpacks them under ``sys._MEIPASS`` (its ``_internal`` folder),
where the source-tree path does not exist.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[2] / "resources"


def resources_dir() -> Path:
    """The ``resources`` folder the running app reads: the bundle's copy when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return _SOURCE_ROOT


def resource_path(*parts: str) -> Path:
    """A file or folder inside ``resources``: ``resource_path("fonts", "wqy-microhei.ttc")``."""
    return resources_dir().joinpath(*parts)
