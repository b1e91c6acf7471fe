"""Small helpers for the browser tests: sign in through the login page as a person does, and collect what
the page complains about (script errors and console errors other than a refused request)."""

from __future__ import annotations

from typing import Any


def watch_problems(page: Any) -> list[str]:
    """Console errors and uncaught exceptions of the page from now on. A 4xx answer or a request that
    cannot reach the server (offline) is logged as "Failed to load resource": that is not a problem."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through /login/ by typing and tapping, and wait until the next page has settled."""
    page.goto(base_url + "/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("form .btn-primary")
    page.wait_for_load_state("networkidle")
