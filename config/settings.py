"""All configuration comes from environment variables, read here and nowhere else.

Domain code reads settings only through ``o2o.core.conf``.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'o2o.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: writers take the lock when the transaction starts, so two writers never
    # deadlock on a lock upgrade; WAL lets readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
    )
    DATABASES["default"].setdefault("TEST", {})
# Keep each worker thread's connection between requests (on SQLite too: opening one runs the
# PRAGMAs above and registers Django's SQL functions, about 0.9 ms, a third of a nearby request).
# o2o_restore writes into a database that has open connections through SQLite's backup API, never
# by renaming a file under them, so kept connections see the restored data.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A PostgreSQL streaming replica (make cluster starts one): public reads go there (o2o/core/dbrouter.py),
# everything else, and a client's reads for DATABASE_REPLICA_PIN_SECONDS after its own write, to the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=5)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**env.db_url_config(DATABASE_REPLICA_URL), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
                            "CONN_HEALTH_CHECKS": True, "ATOMIC_REQUESTS": False, "TEST": {"MIRROR": "default"}}
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2  # a replica that is down: fail fast
    DATABASE_ROUTERS = ["o2o.core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis and are written through to the database: every app node sees the same
    # session, and a Redis restart signs nobody out. Without Redis the database backend (Django's
    # default) is shared by every node already.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The database cache, not LocMem: rate limits count in the cache, and every gunicorn worker must
    # see the same counts (a per-process cache let two workers allow twice the limit). Its table
    # (o2o_cache) is made by a migration of o2o.core, so `migrate` (make demo, the tests) creates it;
    # ratelimit.AtomicDatabaseCache makes incr atomic across processes.
    CACHES = {"default": {"BACKEND": "o2o.core.ratelimit.AtomicDatabaseCache", "LOCATION": "o2o_cache",
                          "OPTIONS": {"MAX_ENTRIES": 1_000_000}}}  # culling live counters would reset them

# Background tasks (django-tasks). Default: the database backend (django-tasks-db): tasks are rows of
# the same database, run by `manage.py o2o_worker` (make demo and make worker start one). Others:
# django_tasks.backends.immediate.ImmediateBackend runs each in the request (the tests, `make run`);
# django_tasks_rq.RQBackend puts them on Redis (REDIS_URL; `manage.py rqworker` runs them, o2o_worker
# still enqueues the periodic ones). README "Worker".
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

INSTALLED_APPS = [
    # o2o first: an app earlier in this list wins for templates and for translations, so the project's
    # own wording (e.g. "Log out" = 退出登录) is never shadowed by a contrib catalogue (admin says 注销).
    "o2o.core",
    "o2o.routing",
    "o2o.accounts",
    "o2o.merchants",
    "o2o.catalogue",
    "o2o.capacity",
    "o2o.discovery",
    "o2o.orders",
    "o2o.payments",
    "o2o.vouchers",
    "o2o.ordering",
    "o2o.bookings",
    "o2o.delivery",
    "o2o.jobs",
    "o2o.reviews",
    "o2o.campaigns",
    "o2o.members",
    "o2o.community",
    "o2o.audit",
    "o2o.analytics",
    "o2o.api",
    "o2o.web",
    "o2o.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",  # the database task backend's table (its migrations come with the package)
    "ninja",  # /api/v1/docs serves django-ninja's bundled Swagger UI from /static/ninja/ (else it uses a CDN)
]
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):  # pip install -e '.[rq]'
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *(["o2o.core.dbrouter.ReplicaReadsMiddleware"] if DATABASE_REPLICA_URL else []),
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "o2o.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "o2o.audit.middleware.RequestContextMiddleware",
    "o2o.campaigns.middleware.VisitorMiddleware",  # the QR visitor cookie: linked to the account it signs in
    "o2o.core.middleware.ClientErrorMiddleware",  # 403/404/400 of a view log one line, no traceback
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
# The lockout backend checks every password (admin login included); ModelBackend stays listed so
# sessions made with it (the pages log in with it) keep working.
AUTHENTICATION_BACKENDS = ["o2o.accounts.backends.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env.bool("FAST_PASSWORD_HASHER", default=False):  # test runs only: hashing is not what they test
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 3600)  # seconds a reset link works
# Password-reset mail: printed on the console by default (the demo); production sets an SMTP backend
# (django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST etc.).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="o2o <noreply@demo.o2o>")
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# The project's own catalogues come before Django's: an app's locale/ ranks by its place in
# INSTALLED_APPS, so django.contrib.admin's "Go" = 执行 and "Log out" = 注销 beat ours. LOCALE_PATHS
# outrank every app, so each o2o app's catalogue is listed here (tests/web/test_wording.py checks it).
LOCALE_PATHS = [BASE_DIR / "locale", *sorted((BASE_DIR / "o2o").glob("*/locale"))]
USE_I18N = True
# One date and time style per language (o2o/web/formats/<lang>/formats.py); templates use only the
# named formats (DATETIME_FORMAT, DATE_FORMAT, TIME_FORMAT) and scripts the same patterns (dates.js).
FORMAT_MODULE_PATH = ["o2o.web.formats"]
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- security: cookies, headers, HTTPS (docs/security in the README) ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Secure cookies need HTTPS: off for the http demo, on in production (SECURE_COOKIES=true).
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:  # __Host-: the browser refuses it unless Secure, Path=/ and no Domain (no subdomain can set it)
    SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS: 0 (off) for the http demo; production behind TLS sets e.g. SECURE_HSTS_SECONDS=31536000.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
if env.bool("BEHIND_TLS_PROXY", default=False):  # the proxy terminates TLS and sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Permissions-Policy (o2o.core.middleware): the counter scans with the camera, the home page asks
# for the position; nothing else may use powerful features, and no frame may use any.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "geolocation": ["self"],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "display-capture": [],
    "fullscreen": ["self"],
}
# Largest request body accepted (uploads included); larger ones get 413 before anything reads them.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_MB", default=32) * 1024 * 1024
# What /media/ (uploaded files) answers with: never a document that can run script.
MEDIA_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'wasm-unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Every handler redacts card numbers, bearer/o2o tokens, passwords and signing seeds (o2o.core.logging).
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "o2o.core.logging.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own loggers go through the same redacting handler (its defaults would not redact).
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- o2o's own settings (read through o2o.core.conf) ---
O2O = {
    "CURRENCY": env.str("O2O_CURRENCY", default="CNY"),
    # a new store's timezone when none is given (API, pages, model default)
    "STORE_TIMEZONE": env.str("O2O_STORE_TIMEZONE", default="") or TIME_ZONE,
    "MERCHANT_APPROVAL": env.bool("O2O_MERCHANT_APPROVAL", default=False),
    "ORDER_HOLD_MINUTES": env.int("O2O_ORDER_HOLD_MINUTES", default=15),
    "VOUCHER_SIGNING_KEY": env.str("O2O_VOUCHER_SIGNING_KEY", default=""),
    "DEMO_CENTRE": (env.float("O2O_DEMO_LAT", default=30.6570), env.float("O2O_DEMO_LNG", default=104.0658)),
    "NEARBY_MAX_RADIUS_M": 50000,
    "NEARBY_DEFAULT_RADIUS_M": 3000,
    # sign-up, sign-in and password-reset requests per client address, counted in the shared cache
    # ("20/m": 20 a minute; s, m, h, d)
    "AUTH_RATE": env.str("O2O_AUTH_RATE", default="20/m"),
    # how many proxies in front of the app append to X-Forwarded-For: 0 = the client is REMOTE_ADDR and
    # X-Forwarded-For is ignored (anyone can send one); n = the n-th address from its right
    "TRUSTED_PROXIES": env.int("O2O_TRUSTED_PROXIES", default=0),
    # sign-in lockout per (email, client address): this many failures within the window lock that pair
    # for the window; the owner at another address is not locked out
    "LOGIN_MAX_FAILURES": env.int("O2O_LOGIN_MAX_FAILURES", default=5),
    "LOGIN_LOCKOUT_MINUTES": env.int("O2O_LOGIN_LOCKOUT_MINUTES", default=15),
    # account-wide slow-down: after this many failures for one email from any addresses within the
    # window, unknown addresses get one password check per LOGIN_SLOWDOWN_SECONDS for that email
    "LOGIN_SLOWDOWN_AFTER": env.int("O2O_LOGIN_SLOWDOWN_AFTER", default=20),
    "LOGIN_SLOWDOWN_SECONDS": env.int("O2O_LOGIN_SLOWDOWN_SECONDS", default=10),
    # concurrent one-line checkouts of a process share one transaction (o2o/orders/batching.py)
    "GROUP_CHECKOUT": env.bool("O2O_GROUP_CHECKOUT", default=True),
    # counted scans of one placement's QR code per client address (o2o/campaigns): past it, 429 and not counted
    "SCAN_RATE": env.str("O2O_SCAN_RATE", default="30/m"),
    # community (o2o/community): the largest short video a merchant's post may carry, in MB (MP4 or WebM)
    "POST_VIDEO_MAX_MB": env.int("O2O_POST_VIDEO_MAX_MB", default=20),
}
