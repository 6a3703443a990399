"""Settings for strategy_tracker, configured only by environment variables (see .env.example).

With no variables set the app runs on a SQLite file beside manage.py; production points
DATABASE_URL at PostgreSQL.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

from strategy_tracker.release import code_release

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """Read a boolean variable; refuse values that are neither clearly true nor clearly false."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, not {raw!r}")


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("dev-only-insecure" if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_guid",
    "django_tasks",
    "django_tasks_db",
    "parler",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "activities",
    "accounts",
    "reporting",
    "notifications",
    "demo",
    "ops",
    "exports",
]

MIDDLEWARE = [
    # First: a request id (from nginx's X-Request-ID, or new) for every log line of the request.
    "django_guid.middleware.guid_middleware",
    # Refuses an oversized body from its Content-Length before anything reads it (security).
    "activities.security.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (security).
    "csp.middleware.CSPMiddleware",
    "activities.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are large text trees; compressing them matters most on a slow rural connection.
    "django.middleware.gzip.GZipMiddleware",
    # Before anything reads the database: sends this request's reads to the replica or the primary.
    "ops.routers.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session and before CommonMiddleware: picks the language from the language cookie, then
    # Accept-Language. A signed-in user's profile language is applied at sign-in, and set in the cookie
    # by the next middleware (accounts.signals), so it costs no query on later requests.
    "django.middleware.locale.LocaleMiddleware",
    "accounts.middleware.LanguageCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the two-factor step (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Enrolled accounts must have passed it; superusers must enrol when required (security).
    "activities.two_factor.TwoFactorMiddleware",
    # Shorter idle sessions for staff accounts (security).
    "activities.security.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the progress history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Limits a user who signed in with a reporting link to that link's Range State.
    "activities.middleware.ReportingLinkScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: locks out sign-in after repeated failures (see AXES_* below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "strategy_tracker.urls"

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
                "django.template.context_processors.i18n",
                "demo.context_processors.demo_data",
            ],
        },
    },
]

WSGI_APPLICATION = "strategy_tracker.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE") or "0"),
        # A kept connection is checked before each request reuses it, so a restarted server costs
        # one failed check, not a failed request.
        conn_health_checks=True,
    )
}

# --- SQLite under concurrent writes (security) ---------------------------------------------------
# The embedded default must serve a handful of simultaneous users. WAL lets readers go on while one
# writer writes; the busy timeout makes a writer wait for the lock instead of failing at once; and
# IMMEDIATE transactions take the write lock when a transaction starts, so two edits of one entry queue
# and the second sees the first's version (a 409 EditConflict), instead of both reading, both trying
# to upgrade to a write lock, and one failing with "database is locked" (a 500).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface languages. The names here are for Django; the language switcher names each language in
# itself, from CLDR (Babel). English dates keep the site's British order (activities/formats/en).
# The other languages of the Range States, to add as translators come: az (Azerbaijani), hy (Armenian),
# ka (Georgian), tr (Turkish), ar (Arabic), ps (Pashto), ur (Urdu), tk (Turkmen), uz (Uzbek), kk (Kazakh).
# Adding one is a line here and `manage.py makemessages -l CODE`: no migration (strategy content
# translations are rows, django-parler's tables, whatever the language).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", gettext_noop("English")),
    ("ru", gettext_noop("Russian")),
    ("fa", gettext_noop("Persian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are formatted per language with the named formats (DATE_FORMAT, DATETIME_FORMAT, …); this
# module only sets the English ones the site has always used (see activities/formats/en).
FORMAT_MODULE_PATH = ["activities.formats"]
# The language cookie outlives the session, so that the choice survives signing out; it carries no
# personal data (a language code).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "activities:home"
LOGOUT_REDIRECT_URL = "activities:strategy-list"

# The progress history (django-simple-history). A change reason is whatever the editor of an approved
# entry typed, kept whole (a text column, not 100 characters). Reverting to an old version from the
# admin's history pages is off: every write goes through the services, which check the workflow.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Evidence files (reports, photos, PDFs) attached to progress entries go through Django's storage API,
# so a deployment can move them to object storage by changing STORAGES["default"].
EVIDENCE_MAX_UPLOAD_MB = int(os.environ.get("EVIDENCE_MAX_UPLOAD_MB", "10"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A strategy's logframe imported from a spreadsheet (activities.spreadsheet): the largest file accepted
# and the most rows its logframe sheet may have (the Persian Leopard table has about 160).
STRATEGY_IMPORT_MAX_MB = int(os.environ.get("STRATEGY_IMPORT_MAX_MB", "2"))
STRATEGY_IMPORT_MAX_ROWS = int(os.environ.get("STRATEGY_IMPORT_MAX_ROWS", "2000"))
# The largest request body accepted at all: an evidence file plus the form's other fields. Larger
# bodies are refused with 413 before they are read (activities.security.RequestSizeLimitMiddleware).
# Set the TLS proxy's limit to the same (nginx: client_max_body_size 11m;).
REQUEST_MAX_BODY_MB = int(os.environ.get("REQUEST_MAX_BODY_MB", str(EVIDENCE_MAX_UPLOAD_MB + 1)))

# Offline reporting by spreadsheet (activities.offline_sheet): the largest XLSX a reporter uploads,
# and the most data rows it may hold (a round asks about some 100 activities).
OFFLINE_SHEET_MAX_BYTES = int(float(os.environ.get("OFFLINE_SHEET_MAX_MB", "2")) * 1024 * 1024)
OFFLINE_SHEET_MAX_ROWS = int(os.environ.get("OFFLINE_SHEET_MAX_ROWS", "1000"))

# E-mail (notices: notifications, activities.notices). The console backend prints messages: right for development.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Strategy Tracker <noreply@localhost>")
# The site's address, for links in e-mails (reminders, reporting links).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The partner REST API (/api/v1/, activities/api/). Throttle rates are per anonymous IP address and per
# signed-in user or API token; "N/second|minute|hour|day".
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "activities.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials that needs them gets 401 (WWW-Authenticate: Token).
        "activities.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["activities.api.access.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": [
        "activities.api.throttling.AnonymousThrottle",
        "activities.api.throttling.UserOrTokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "activities.api.renderers.CSVRenderer",
        "activities.api.renderers.XLSXRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["activities.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "activities.api.filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "activities.api.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "activities.api.exceptions.exception_handler",
    # Amounts (cost_usd, amount_spent_usd) are JSON numbers, and numbers in XLSX.
    "COERCE_DECIMAL_TO_STRING": False,
    "SEARCH_PARAM": "search",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Strategy Tracker API",
    "DESCRIPTION": (
        "Implementation status of CMS / CAMI conservation strategies: the strategies as adopted "
        "(themes, objectives, results, activities, actors, CAMI Programme of Work measures, Range States) "
        "and the progress the Range States report.\n\n"
        "Anonymous clients read public data (approved progress without restricted details). Partners and "
        "national systems send `Authorization: Token <key>` with a token from the Secretariat. Every list "
        "takes `?page_size=` (up to 500), `?search=`, `?ordering=` and `?format=csv|xlsx`; every GET "
        "returns an ETag (send it back in If-None-Match to get 304). Errors have one shape: "
        '`{"errors": [{"field", "code", "detail"}]}`.'
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc are served from this site's static files (drf-spectacular-sidecar): the docs
    # work offline and tell no third party who reads them.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {
        "ProgressStatusEnum": "activities.models.ProgressEntry.Status",
        "ReviewStateEnum": "activities.models.ProgressEntry.ReviewState",
        "ConfidenceEnum": "activities.models.ProgressEntry.Confidence",
        "PlanStatusEnum": "activities.models.PlanStatus",
    },
}

# Strategy content translations (django-parler): the source texts stay in their fields, translations
# are rows in per-model translation tables. Parler's cache is off: pages prefetch the active language's
# rows in one query per level, and a cache keyed by primary key would outlive rolled-back test data.
PARLER_ENABLE_CACHING = False
PARLER_LANGUAGES = {None: [{"code": code} for code, _name in LANGUAGES], "default": {"fallbacks": []}}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- HTTPS, headers and sessions (security; the README's "Security" section) -------------------------
# In production the app runs behind a TLS proxy (nginx in deploy/, or a load balancer) that terminates
# HTTPS. With DJANGO_BEHIND_TLS_PROXY=1 the proxy must set "X-Forwarded-Proto: https" and overwrite any
# value a client sent (deploy/nginx.conf does): Django then knows the request was secure. With DEBUG
# off, plain HTTP is redirected to HTTPS and HSTS is sent unless these variables say otherwise;
# `manage.py check --deploy` then has nothing to warn about (tests/test_headers_and_sessions.py).
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# /healthz and /readyz answer the load balancer over plain HTTP, on any Host header.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp) for the app's own pages: scripts, styles, fonts and images from
# this site only, no inline script or style, no plugins, no framing. The API docs pages (Swagger UI,
# Redoc) get their own, looser policy in activities/api/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the app never uses are switched off (activities.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

# Sessions: two weeks for focal points (often on phones, signing in rarely); staff accounts (the
# Secretariat, superusers), who can approve and manage users, are signed out after this many idle minutes.
SESSION_COOKIE_AGE = 14 * 24 * 3600
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))


# --- Brute-force protection (security) -----------------------------------------------------------
# Behind a TLS proxy every request comes from the proxy's address: say how many proxies set
# X-Forwarded-For, so that lockouts and throttles count per client, not per proxy. 0 (default): no proxy,
# the header is ignored (a client could otherwise choose its own address).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT or None

# Sign-in page and admin login (django-axes): after AXES_FAILURE_LIMIT failed attempts for one username,
# or from one address, that username (from anywhere) and that address (for any username) are locked
# for the cool-off. Lockouts are listed in the admin (Axes → Access attempts); lift one with
# `manage.py axes_reset_username NAME`, `axes_reset_ip ADDRESS` or `axes_reset` (all).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "activities.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "activities.security.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Two-factor sign-in (django-otp, TOTP): Secretariat accounts enrol an authenticator app at
# /accounts/two-factor/; an enrolled account then gives a code after its password, on the sign-in page
# and for the admin (whose login is the same page). Wrong and replayed codes count as failed sign-ins
# for the lockout above (so django-otp's own per-device delay is off: one lockout, one message).
# With REQUIRE_2FA_FOR_SUPERUSERS (default: on with DEBUG off, off in development so the demo accounts
# sign in with their passwords alone) a superuser must enrol before using anything else. A lost phone:
# `manage.py remove_two_factor USERNAME` (a superuser at the server), then the user enrols again.
REQUIRE_2FA_FOR_SUPERUSERS = env_bool("REQUIRE_2FA_FOR_SUPERUSERS", default=not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Strategy Tracker")
OTP_TOTP_THROTTLE_FACTOR = 0
AXES_SENSITIVE_PARAMETERS = ["otp_token"]

# Failed API token authentication and failed reporting-link redemptions, per client address: after the
# limit within the window (seconds), further attempts get 429 until the window ends.
API_TOKEN_FAILURE_LIMIT = int(os.environ.get("API_TOKEN_FAILURE_LIMIT", "10"))
API_TOKEN_FAILURE_WINDOW = int(os.environ.get("API_TOKEN_FAILURE_WINDOW", "900"))
REPORTING_LINK_FAILURE_LIMIT = int(os.environ.get("REPORTING_LINK_FAILURE_LIMIT", "10"))
REPORTING_LINK_FAILURE_WINDOW = int(os.environ.get("REPORTING_LINK_FAILURE_WINDOW", "900"))

# --- Deployment: connection pool, read replica, cache, background tasks, object storage ----------------
# (docs/deploy.md explains each variable; .env.example lists them.)

# PostgreSQL keeps each process's connection open between requests by default (a new connection per
# request cost more than most pages' queries); the health check above makes a restarted database cost
# no failed request. DATABASE_CONN_MAX_AGE=0 goes back to one connection per request.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not os.environ.get(
    "DATABASE_CONN_MAX_AGE"
):
    DATABASES["default"]["CONN_MAX_AGE"] = 600

# PostgreSQL only: a psycopg connection pool per process instead of one connection per request.
# Connections are checked before use, so a restarted database costs no failed request once it is back.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_POOL", default=False
):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django requires it with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }

# A streaming replica for report pages and API reads (ops.routers). Same settings as the primary;
# tests read the primary through it (MIRROR), so the router's choices run without a second database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"]),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}).copy(),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["ops.routers.ReplicaRouter"]
# After a write, the same browser reads from the primary for this many seconds (replication lag).
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "15"))
# Only these read-only parts of the site may read from the replica.
DATABASE_REPLICA_PATHS = ("/reports/", "/api/v1/")

# The cache (API throttles, anything cached) is shared by every app server through Redis when REDIS_URL
# is set; otherwise it is per process, which is right for one process only.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "strategy-tracker",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a report (its build and its page's tables) is kept in that cache, in seconds; 0 turns the
# caching off. Any change to what a report reads gives it a new key at once (reporting.reports.cache),
# so this only bounds the memory and what no change marker sees.
REPORT_CACHE_SECONDS = int(os.environ.get("REPORT_CACHE_SECONDS", "3600"))
# The running code's release, part of the key of every cached page (reports, strategy outlines), so a
# deployment never serves what the previous code rendered: DJANGO_RELEASE, or a fingerprint of the code
# (strategy_tracker/release.py).
CODE_RELEASE = code_release(BASE_DIR)

# Background tasks (django-tasks, the backport of Django 6's framework): the queue is a table in the
# database, worked by `manage.py db_worker` (one or many, on any machine: rows are claimed with
# SKIP LOCKED). ops.tasks adds retries, enqueue_on_commit and the recovery of abandoned tasks.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task still RUNNING after this many seconds is taken to be abandoned by a worker that died, and is
# put back in the queue by the sweep. Every task finishes well within it (webhook POSTs time out in 5 s).
TASKS_RUNNING_TIMEOUT = int(os.environ.get("TASKS_RUNNING_TIMEOUT", "300"))
# How often the scheduler (`manage.py run_scheduler`) runs the sweeps, in seconds.
TASKS_SWEEP_INTERVAL = int(os.environ.get("TASKS_SWEEP_INTERVAL", "60"))
# /readyz reports not ready when more tasks than this are due and waiting (workers are not keeping up).
TASKS_READY_BACKLOG = int(os.environ.get("TASKS_READY_BACKLOG", "1000"))
# The hour (in TIME_ZONE) at which the day's notices go out: rounds opened, deadlines near and passed.
REMINDERS_HOUR = int(os.environ.get("REMINDERS_HOUR", "6"))
# The Secretariat reminds a Range State of its national report (from a round's overview) at most once in
# this many hours: a second click within them says when it was reminded instead of sending again.
NATIONAL_REPORT_REMINDER_INTERVAL_HOURS = float(
    os.environ.get("NATIONAL_REPORT_REMINDER_INTERVAL_HOURS", "24")
)
# Large exports run in the background (exports app): an XLSX of more rows than this is made by a worker
# and fetched from "Your exports"; the progress list's XLSX always is. Files are deleted after the days.
EXPORT_JOB_ROWS = int(os.environ.get("EXPORT_JOB_ROWS", "5000"))
EXPORT_EXPIRY_DAYS = int(os.environ.get("EXPORT_EXPIRY_DAYS", "7"))


# Evidence files in S3-compatible object storage when a bucket is named. They stay private: the
# permission-checked download view streams them (no public URL, no ACL); see docs/deploy.md.
def object_storage(environ) -> dict | None:
    """STORAGES["default"] for the bucket `environ` names (AWS_STORAGE_BUCKET_NAME), or None for local
    files. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or
    the machine's role)."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }


if object_storage(os.environ):
    STORAGES["default"] = object_storage(os.environ)

# Mail: the file backend writes each message to EMAIL_FILE_PATH (a test deployment without SMTP).
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))

# --- Logging: JSON lines on stdout, each with the request id; errors to Sentry when SENTRY_DSN is set ---

DJANGO_GUID = {
    # nginx sets X-Request-ID ($request_id); a missing or malformed one is replaced by a new id.
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "IGNORE_URLS": ["healthz"],
}
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Request errors are logged once, by django.request; the server's own access log has the rest.
        "django.server": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
        # WeasyPrint logs every step and every page of a PDF at INFO (a 70-page report: 80 lines).
        "weasyprint.progress": {"level": "WARNING"},
    },
}

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # Restricted details (den sites, poaching cases) may be in a form or a local variable: an
        # error report carries neither, nor who the user was.
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
    )
