import os

import pytest

os.environ.setdefault("FAST_PASSWORD_HASHER", "true")
# Tasks run in the request during tests, unless TASKS_BACKEND says otherwise (tests/live/test_worker.py
# starts a real o2o_worker with the database backend); production and make demo use the database
# backend. The environment is for the server processes tests start; settings are already loaded here.
IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
TASKS_BACKEND = os.environ.setdefault("TASKS_BACKEND", IMMEDIATE_TASKS)


@pytest.fixture(scope="session", autouse=True)
def _tasks_backend():
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": TASKS_BACKEND}}):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory, request):
    """When race tests (tests/concurrency) are collected, the SQLite test database is a file.

    Django's shared in-memory test database locks whole tables between threads and answers
    "database table is locked" at once; a file with WAL and IMMEDIATE transactions
    (config/settings.py) makes writers wait their turn, as in production, so the races run on
    SQLite too. Other runs keep the faster in-memory database.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    races = any("concurrency" in item.nodeid.split("/") for item in request.session.items)
    if races and db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test_o2o.sqlite3")


@pytest.fixture
def api_client():
    from tests.helpers import ApiClient

    return ApiClient()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request read in Chinese (LocaleMiddleware
    activates the reader's language in the thread and leaves it so) must not make the next test in the
    same worker read Chinese too."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: login throttles (20/min per address) count per test.

    The cache is the database cache when REDIS_URL is empty (shared by every server process): a test
    without database access cannot touch it, so there is nothing to clear."""
    from django.core.cache import cache

    try:
        cache.clear()
    except RuntimeError:  # "Database access not allowed": this test has no database, hence no cache
        pass
    yield


@pytest.fixture
def postgres_only(request):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def chromium_browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser).

    Locally a machine without it skips with a message; under CI (CI=true) a missing browser fails,
    so that the browser tests cannot vanish from the run that must show them.
    """
    import shutil

    missing = None
    if not shutil.which(CHROMIUM):
        missing = f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; make test does it as root)"
    else:
        try:
            from playwright import sync_api
        except ImportError:
            missing = "needs the playwright package (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
