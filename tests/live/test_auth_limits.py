"""The sign-in rate limit holds across a real gunicorn's two worker processes: each request on a new
connection (so the workers share them), each claiming another client in X-Forwarded-For and naming
another email. With a per-process counter two workers let 40 through a limit of 20; with the shared
cache (the database cache table here, as `make demo` runs without Redis) exactly 20 pass."""

from __future__ import annotations

import re
import urllib.request
from collections import Counter

import pytest

from tests.live.server import LiveServer

pytestmark = pytest.mark.live


def test_twenty_sign_ins_per_address_across_two_workers(tmp_path):
    server = LiveServer(tmp_path, workers=2, threads=2)
    # 20 an hour rather than a minute: a busy machine must not outlast the window (same mechanism)
    server.env.update({"O2O_AUTH_RATE": "20/h", "O2O_TRUSTED_PROXIES": "0",
                       "GUNICORN_CMD_ARGS": "--access-logfile - --access-logformat 'worker=%(p)s status=%(s)s'"})
    server.migrate()
    try:
        server.start()
        statuses = []
        for i in range(45):
            status, body = server.request("POST", "/auth/token", {"email": f"live{i}@example.com",
                                                                  "password": "wrong-password-1"},
                                          headers={"X-Forwarded-For": f"10.77.{i}.1", "Connection": "close"})
            statuses.append((status, body["error"]["code"]))
        assert statuses[:20] == [(401, "invalid_credentials")] * 20
        assert set(statuses[20:]) == {(429, "rate_limited")}
        # the login page counts in the same place
        with urllib.request.urlopen(server.url + "/login/", timeout=10) as resp:  # noqa: S310
            assert resp.status == 200
    finally:
        server.close()
    log = (tmp_path / "server.log").read_text()
    served = Counter(re.findall(r"worker=<?(\d+)>? status=(?:401|429)", log))
    assert len(served) == 2 and sum(served.values()) == 45, (served, log[-2000:])  # both workers answered
