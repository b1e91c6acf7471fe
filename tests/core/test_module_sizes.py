"""No module of o2o is over 600 lines, and every app says at its top what it owns."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2] / "o2o"


def test_no_module_over_600_lines():
    big = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py") if "migrations" not in p.parts
           and (n := len(p.read_text().splitlines())) > 600}
    assert big == {}


def test_every_app_has_a_docstring_saying_what_it_owns():
    missing = [p.parent.name for p in ROOT.glob("*/__init__.py") if not p.read_text().lstrip().startswith('"""')]
    assert missing == []
