"""Every "staff of this store / owner of this merchant" rule is in merchants/access.py."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2] / "o2o"
# Staff management itself (adding staff, changing a role) writes roles; it does not decide access.
WRITERS = {"merchants/access.py", "merchants/services.py", "merchants/models.py", "merchants/admin.py"}


def test_no_role_is_compared_outside_the_access_module():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        if "migrations" in path.parts or rel in WRITERS or rel.startswith("demo/"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.role\s*(==|!=|in\b|not in\b)|role\s*in\s*\(\s*\"(owner|manager|clerk)\"", line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


def test_the_counter_audit_and_nav_rules_come_from_access():
    from o2o.merchants import access

    for name in ("store_for_counter", "counter_stores", "merchant_for_owner", "staff_roles", "store_for_staff"):
        assert callable(getattr(access, name))
    for rel, name in (("vouchers/services.py", "store_for_counter"), ("merchants/selectors.py", "counter_stores"),
                      ("merchants/audit_log.py", "merchant_for_owner")):
        assert name in (ROOT / rel).read_text(), rel
