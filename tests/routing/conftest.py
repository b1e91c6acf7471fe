"""Routing tests: two Li & Lim instances ship in tests/routing/data (lc101, lr201: the published files),
the whole set is read from ../shared/data/routing when it is there (beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def shared_li_lim() -> Path | None:
    for base in (ROOT.parent, ROOT.parent.parent):
        folder = base / "shared" / "data" / "routing" / "li_lim_100"
        if folder.is_dir():
            return folder
    return None


@pytest.fixture
def li_lim_dir() -> Path:
    folder = shared_li_lim()
    if folder is None:
        pytest.skip("../shared/data/routing/li_lim_100 is not beside the repository")
    return folder


def write_instance(tmp_path: Path, text: str, name: str = "bad.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# A small consistent instance: 3 requests, depot open 0..200, capacity 20.
SMALL = """\
2\t20\t1
0\t0\t0\t0\t0\t200\t0\t0\t0
1\t10\t0\t10\t0\t100\t5\t0\t2
2\t20\t0\t-10\t0\t150\t5\t1\t0
3\t0\t10\t5\t0\t100\t5\t0\t4
4\t0\t20\t-5\t0\t150\t5\t3\t0
5\t-10\t0\t8\t0\t100\t5\t0\t6
6\t-20\t0\t-8\t0\t150\t5\t5\t0
"""
