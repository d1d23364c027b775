"""Commonplace settings: one module, driven by environment variables (12-factor).

See the README's "Configuration" section for every variable read here.
"""

from __future__ import annotations

import os
import secrets
import sys
import warnings
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.keys import local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Running under pytest: the suite provides its own throwaway secrets.
TESTING = "pytest" in sys.modules

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if TESTING:
        # A fresh random key per test run: nothing signed in tests is valid anywhere else.
        SECRET_KEY = secrets.token_urlsafe(50)
    elif DEBUG:
        # Development (`make run`): a random key made once in a private, git-ignored file.
        SECRET_KEY = local_secret_key(
            Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
        )
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "files",
    "accounts",
    "competencies",
    "cohorts",
    "discussions",
    "resources",
    "trainings",
    "journals",
    "packets",
    "dashboard",
]

MIDDLEWARE = [
    "core.middleware.AfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NulCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.QueryTextMiddleware",
    "core.middleware.NotFoundPageMiddleware",
]

# The bench (bench/live.py) serves config.urls plus one bare page: ROOT_URLCONF=bench.urls.
# Nothing else may be named, so the environment can never route the site elsewhere.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="config.urls")
if ROOT_URLCONF not in ("config.urls", "bench.urls"):
    raise ImproperlyConfigured("ROOT_URLCONF may only be config.urls or bench.urls.")
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "accounts.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let several daphne workers share the file without
    # "database is locked" errors; the test database is a file so a live server in a child
    # process (browser tests) sees the same data.
    _db.setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    _db["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    if TESTING:
        # One test database per run, so two runs against one server never collide.
        _db["TEST"] = {"NAME": f"test_{_db['NAME']}_{os.getpid()}"}
    # Under ASGI every request runs in a thread of its own, and a persistent connection
    # belongs to its thread: with CONN_MAX_AGE each request would leave a connection open
    # behind it, until PostgreSQL refuses more ("too many clients"). Each process keeps a
    # pool instead (psycopg_pool, up to DB_POOL_SIZE connections, shared by its threads;
    # a request waits up to DB_POOL_TIMEOUT seconds for one). Tests close connections after
    # each use so worker threads never hold the test database.
    _pool_size = 0 if TESTING else env.int("DB_POOL_SIZE", default=20)
    if _pool_size > 0:
        _db["CONN_MAX_AGE"] = 0
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": _pool_size,
            "timeout": env.float("DB_POOL_TIMEOUT", default=20.0),
        }
    else:
        _db.setdefault("CONN_MAX_AGE", 0 if TESTING else env.int("CONN_MAX_AGE", default=60))
    _db.setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if TESTING:
    # Each test run gets its own key space on a shared Redis.
    _run_prefix = f"commonplace-test-{os.getpid()}"
    os.environ.setdefault("CHANNEL_PREFIX", _run_prefix)
    os.environ.setdefault("CACHE_PREFIX", _run_prefix)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's layer, reading a process's inbox in batches (core.channel_layer).
            "BACKEND": "core.channel_layer.InboxRedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("CHANNEL_PREFIX", default="commonplace"),
                # channels_redis keeps one inbox per process for all of its sockets, and
                # capacity bounds that inbox, not one socket's: a process holding thousands
                # of sockets while a thousand more reconnect (their presence frames too)
                # passed 1,500 and lost posts. Messages older than ``expiry`` are dropped
                # from an inbox whenever something more is sent to it: a process taking over
                # another's thousand sockets fell 57 s behind on a slow machine, and at 60 s
                # posts its live sockets had not read yet were lost. Five minutes of posts
                # is still a small inbox (a dead process's is trimmed to the same age).
                "capacity": env.int("CHANNEL_CAPACITY", default=50000),
                "expiry": env.int("CHANNEL_EXPIRY", default=300),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="commonplace"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks (django_tasks; README "Background tasks") ----------------------------
# The database backend by default: `make run` starts one `db_worker` beside daphne and
# nothing else is needed. With REDIS_URL the queue lives in Redis (django-tasks-rq) and the
# workers are `manage.py rqworker default`. Tests run tasks at once (ImmediateBackend);
# the tests that need a real worker switch to the database backend themselves.
TASKS: dict[str, dict[str, Any]]
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    # django-tasks-rq runs a task through its own job class (RQ's default one cannot call a
    # Task); the worker runs tasks in its own process instead of forking one per task, and
    # every queue of a process shares one Redis client (core.task_worker). Every process
    # started with these settings (daphne, `rqworker`) uses them.
    RQ = {
        "JOB_CLASS": "django_tasks_rq.Job",
        "WORKER_CLASS": "core.task_worker.TaskWorker",
        "QUEUE_CLASS": "core.task_worker.KeptConnectionQueue",
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A new post is announced to followers and the people it mentions by a task
# (discussions.tasks.post_announce), retried with growing delays this many times in all.
DISCUSSIONS_ANNOUNCE_ATTEMPTS = env.int("DISCUSSIONS_ANNOUNCE_ATTEMPTS", default=5)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Fast hashing keeps the suite quick; production keeps Django's default (PBKDF2).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Commonplace] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth's defaults (signup, password reset, confirmation emails) are kept; they are
# enforced through the cache above, so they hold across processes with Redis.
# Failed logins (accounts.adapters.AccountAdapter.pre_authenticate): 10 a minute per client
# address (guessing across accounts), 5 per 5 minutes per (account, address), and 60 an hour
# per account. One address can fail at most 60 times an hour against one account, so it
# alone never reaches the account cap: locking someone out takes many addresses, and even
# then the password reset link lifts the cap. (MFA codes keep 5 per 5 minutes per account.)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "60/h/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Commonplace"

# Guardian: no object permissions for anonymous visitors.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- Email ----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
    if _email.get(_key):
        globals()[_key] = _email[_key]
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
if _email.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
# Absolute links in e-mails (invitations, reviews) start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Commonplace <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=20)
# Built exports (a packet as PDF, my data) are kept this long, then purged (purge_exports).
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=72)
# Optional virus scanning of uploads: the path of a ClamAV daemon's unix socket.
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # With STATIC_MANIFEST=1 (production, after collectstatic) file names carry hashes
        # and are cached forever; otherwise whitenoise serves straight from the app folders.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not env.bool("STATIC_MANIFEST", default=False)
# Without collectstatic there is no STATIC_ROOT yet; whitenoise then serves from the finders.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

# --- Security -------------------------------------------------------------------------------
HTTPS = env.bool("HTTPS", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# JavaScript reads the CSRF token from a <meta> tag, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)


def _proxy_count(value: str) -> int:
    """BEHIND_PROXY: how many reverse proxies of ours stand in front of the app (on/true
    mean one, off/false/empty none)."""
    value = value.strip().lower()
    if value in {"on", "true", "yes"}:
        return 1
    if value in {"", "off", "false", "no"}:
        return 0
    if value.isdigit():
        return int(value)
    raise ImproperlyConfigured(
        f"BEHIND_PROXY must be the number of proxies in front of the app (0, 1, 2...), "
        f"or on/off; got {value!r}."
    )


# Behind N proxies (HTTPS alone implies one): X-Forwarded-Proto is trusted, and the client
# address is the N-th from the right in X-Forwarded-For (core.http.client_address, DRF's
# throttles, allauth's rate limits, daphne in `manage.py serve`). With none, the header is
# ignored: a client cannot pick the address its rate limits count.
PROXY_COUNT = _proxy_count(env.str("BEHIND_PROXY", default="1" if HTTPS else "0"))
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ALLAUTH_TRUSTED_PROXY_COUNT = PROXY_COUNT
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [NONE],
        "worker-src": [SELF],
        "manifest-src": [SELF],
    },
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes unauthenticated calls answer 401.
        "core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttles.AnonThrottle",
        "core.throttles.UserThrottle",
    ],
    # The throttles' client address: X-Forwarded-For only behind our own proxies.
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/min"),
        "user": env.str("API_USER_RATE", default="1200/min"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.ApiSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Commonplace API",
    "DESCRIPTION": "Communities of practice for community engagement professionals.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names other apps use too ("kind"...): named once, here.
    "ENUM_NAME_OVERRIDES": {
        "ResourceKindEnum": "resources.models.Resource.Kind",
        "ResourceScopeEnum": "resources.models.Resource.Scope",
        "ResourceLicenceEnum": "resources.models.Resource.Licence",
        "EvidenceKindEnum": "journals.models.Evidence.Kind",
        "EntryStatusEnum": "journals.models.Entry.Status",
        "EntryVisibilityEnum": "journals.models.Entry.Visibility",
        "PacketExportFormatEnum": "packets.selectors.exports.FORMAT_CHOICES",
        "ExportStatusEnum": "files.models.Export.Status",
        "PacketStatusEnum": "packets.models.Packet.Status",
        "SectionKindEnum": "packets.models.Section.Kind",
        "TrainingFormatEnum": "trainings.models.Training.Format",
    },
}

# --- Real time ------------------------------------------------------------------------------
REALTIME = {
    # Largest text frame a client may send; larger frames close the socket with 1009.
    "MAX_FRAME_BYTES": env.int("WS_MAX_FRAME_BYTES", default=16 * 1024),
    # Token bucket per connection: burst, then a steady rate per second.
    "RATE_BURST": env.int("WS_RATE_BURST", default=30),
    "RATE_PER_SECOND": env.float("WS_RATE_PER_SECOND", default=10.0),
    # Frames refused for rate in a row before the socket is closed with 4429.
    "FLOOD_CLOSE_AFTER": env.int("WS_FLOOD_CLOSE_AFTER", default=50),
    # Open sockets per person, counted across servers in the cache; past it the oldest is
    # closed with 4409.
    "MAX_SOCKETS_PER_USER": env.int("WS_MAX_SOCKETS_PER_USER", default=20),
    # Threads per process for the sockets' database checks (core.realtime.socket_db).
    "DB_THREADS": env.int("WS_DB_THREADS", default=4),
}
# On SIGTERM `manage.py serve` refuses new connections, closes sockets with 1012 and waits
# this long for requests and socket clean-up to finish before it exits.
SERVE_DRAIN_SECONDS = env.float("SERVE_DRAIN_SECONDS", default=10.0)

# Daily allowances per person, counted in the cache (README: "Security").
OUTBOUND_MAIL_PER_DAY = env.int("OUTBOUND_MAIL_PER_DAY", default=50)
COHORT_PROPOSALS_PER_DAY = env.int("COHORT_PROPOSALS_PER_DAY", default=5)

COMPETENCY_FRAMEWORK_FILE = BASE_DIR / "competencies" / "data" / "cep-framework.json"
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="commonplace-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
