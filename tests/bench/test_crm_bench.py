"""bench/crm.py end to end on a tiny dataset: it builds its cache, runs the real pages offscreen and
prints one JSON line per case in DESIGN §9's shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_crm_bench_prints_every_case_with_its_figure_and_target(tmp_path: Path) -> None:
    lines = _run(tmp_path / "cache.sqlite")
    assert list(lines) == ["cache_built", "customer_list_open_300", "customer_list_filter_300", "view360_load",
                           "customers_page_open_300", "customers_page_filter_300", "view360_page_first_paint",
                           "gui_thread_blocked"]
    for case, line in lines.items():
        assert line["seconds"] >= 0 and (case == "cache_built" or line["target_seconds"] > 0), case
    assert lines["customer_list_open_300"]["floor_seconds"] > 0
    assert lines["view360_load"]["n"] >= 200
    typed = lines["customer_list_filter_300"]["matches"]
    assert typed[""] == lines["customer_list_open_300"]["n"] and typed["上海华"] <= typed["上海"] <= typed[""]
    again = _run(tmp_path / "cache.sqlite", "--no-ui")  # the kept cache, copied back in
    assert again["cache_built"]["reused"] and again["cache_built"]["party"] == 300
    assert again["customer_list_filter_300"]["matches"] == typed


def _run(cache: Path, *more: str) -> dict[str, dict]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crm.py"), "--customers", "300", "--activities", "200", "--rounds", "2",
         "--cache", str(cache), *more],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return {line["case"]: line for line in map(json.loads, done.stdout.splitlines())}
