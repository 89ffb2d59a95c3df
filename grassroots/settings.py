"""Grassroots settings: one module, driven by the environment.

Nothing set → the embedded default: SQLite in WAL mode under ./var, files under ./var/media, the
database task queue, a development secret key. Every value that production must set is read here and
checked at start-up, so a bad value stops the process with a message instead of failing later.

Environment variables (see docs/operations.md):
  DEBUG                  "1" for development pages and error details (default: on when no SECRET_KEY is set)
  SECRET_KEY             required in production
  ALLOWED_HOSTS          comma separated
  DATABASE_URL           e.g. postgres://user@127.0.0.1:5432/grassroots; default sqlite:///var/grassroots.sqlite3
  FIELD_ENCRYPTION_KEYS  comma separated Fernet keys, newest first (rotation: prepend a key, run rotate_keys)
  FIELD_HASH_KEY         secret for the keyed hashes beside encrypted fields (exact lookup); never rotate casually
  MEDIA_ROOT / MEDIA_URL filesystem media; or STORAGE_BACKEND=s3 with AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL,
                         AWS_S3_REGION_NAME, AWS_S3_ADDRESSING_STYLE, AWS_LOCATION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  TASKS_BACKEND          "database" (default), "immediate", or "rq" (uses REDIS_URL)
  REDIS_URL              redis://127.0.0.1:6379/0
  CACHE_URL              empty: each process its own cache (one machine); redis://host:6379/<db>: one cache shared by
                         every process of every app server (several app servers: docs/operations.md); else refused
  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL, DEFAULT_FROM_EMAIL
                         SMTP for notification emails and the digest; unset EMAIL_HOST → mail printed to the console
  MAP_TILE_URL           Leaflet tile template (Tianditu with a key, OSM; README "Maps"); empty → our outlines only
  MAP_TILE_ATTRIBUTION   the credit the tile provider requires, shown in the map's corner
  MAP_TILE_SUBDOMAINS    what "{s}" in the template stands for, one character each (default abc; Tianditu 01234567)
  ROUTING_NEAREST_METRES how far outside every grid a point may be and still go to the nearest grid
  ROUTING_VERSION_CHECK_SECONDS how long a process may route against boundaries changed by another (default 1)
  CASES_REFERENCE_CHECK_SECONDS how long a process may use service types / limits / calendar days changed by another (default 1)
  SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE   1/0; on by default when DEBUG is off
  CLIENT_IP_HEADER              the proxy's header naming the client's address (X-Real-IP), for login throttling
  AXES_FAILURE_LIMIT, AXES_ADDRESS_FAILURE_LIMIT   failed logins that lock an account (5) and an address (30)
  SECURE_PROXY_SSL_HEADER       the TLS proxy's header, e.g. "X-Forwarded-Proto: https"; unset: none trusted
  SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD   HSTS, opt-in (0: no header)
  CASES_CALENDAR_WARN_FROM_MONTH from which month staff pages warn that the coming year's holidays are missing (default 10)
  CASES_CALLBACK_SAMPLE_SHARE   share (0–1) of self-reported closed cases the desk calls back (default 0.1)
  CASES_CALLBACK_MAX_ATTEMPTS   calls that may fail to reach a reporter before the case leaves the list (default 3)
  NOTIFICATIONS_SMS_* / NOTIFICATIONS_WECHAT_* the SMS and WeChat gateways, their templates, retries and rate limits
                         (default: the logging gateways, which send nothing)
  WEBHOOKS_ATTEMPTS / _RETRY_SECONDS / _DISABLE_AFTER / _TIMEOUT_SECONDS  outside systems' webhooks (docs/integrations.md)
  WEBHOOKS_CHECK_SECONDS how long a process may miss a webhook subscription made or enabled by another (default 1)
  OUTBOX_SWEEP_AFTER_SECONDS / _WITHIN_HOURS  when a notification or webhook try whose task was lost is sent
                         again by outbox_sweep (default 300 s late, looking back 24 h)
  PHOTOS_ORPHAN_AFTER_HOURS  age at which photos_purge_orphans deletes a photo file no row names (default 24)
  LOG_FORMAT             "json" (one object per line; default when DEBUG is off) or "plain"
  METRICS_TOKEN, METRICS_ALLOWED_ADDRESSES   who may read /metrics (a bearer token; addresses/networks, default loopback)
  HEALTH_TASK_QUEUE_MAX_AGE_SECONDS  /health/ready fails when the oldest waiting task is older (default 300)
  WEB_CONCURRENCY, TASK_WORKERS, SERVE_STOP_SECONDS  scripts/serve: gunicorn workers (default 2 x cores + 1), task
                         workers (1), seconds the children get to stop on SIGTERM (8)
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GRASSROOTS_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


# --- core -----------------------------------------------------------------------------------------
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY") or _DEV_SECRET
DEBUG = env_bool("DEBUG", default=SECRET_KEY == _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
# A page sent without a valid CSRF token gets the site's error page (the API answers {code, message} itself).
CSRF_FAILURE_VIEW = "grassroots.pages.csrf_failure"
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "grassroots.areas",
    "grassroots.accounts",
    "grassroots.imports",
    "grassroots.notifications",
    "grassroots.people",
    "grassroots.workforce",
    "grassroots.worktime",
    "grassroots.cases",
    "grassroots.deliberation",
    "grassroots.disclosure",
    "grassroots.home",
    "grassroots.insights",
    "grassroots.integrations",
    "grassroots.api",
    "grassroots.demo",
    "grassroots.backups",
    "grassroots.operations",
]

MIDDLEWARE = [
    # First: the request id for every log line, one masked log line and the metrics per request.
    "grassroots.operations.middleware.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers compressed (gzip) on the way out. Below WhiteNoise, which answers static files
    # before this runs, from the gzip copies collectstatic made (nothing compressed twice, no photo zipped);
    # above everything that writes a body. BREACH: see docs/performance.md "Light pages".
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "grassroots.pages.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
WSGI_APPLICATION = "grassroots.wsgi.application"
ASGI_APPLICATION = "grassroots.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "grassroots" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grassroots.context_processors.site",
            ],
            # {{ text|masked }} in every template: the free-text masker (grassroots.masking)
            "builtins": ["grassroots.masking_tags"],
        },
    },
]

# --- database ---------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'grassroots.sqlite3'}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE avoids "database is locked" on upgrade
    # from a read to a write lock inside a transaction.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
        ),
    }
    if env("SQLITE_TEST_NAME"):
        _db["TEST"] = {"NAME": env("SQLITE_TEST_NAME")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
else:
    raise ImproperlyConfigured(f"DATABASE_URL must be sqlite:// or postgres://, not {_db['ENGINE']}")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "grassroots.accounts.backends.PhoneOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "areas:browser"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_HTTPONLY = True

# --- HTTPS (docs/operations.md "HTTPS"; docs/production.env; `manage.py check --deploy` is clean with it) ---
# Production serves only HTTPS: cookies travel on HTTPS only and plain HTTP is redirected, unless the operator
# says otherwise. HSTS is a promise browsers keep for its whole duration, so it is opt-in: 0 sends no header.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (no HSTS) or a number of seconds")


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` or ``X-Forwarded-Proto: https`` → Django's ``("HTTP_X_FORWARDED_PROTO", "https")``.
    Set it only when the proxy in front overwrites that header on every request (else a client could claim
    HTTPS); empty: requests are secure only when they reach this process over TLS."""
    if not raw:
        return None
    name, _colon, value = raw.partition(":")
    name, value = name.strip(), value.strip() or "https"
    if not name or not all(ch.isalnum() or ch == "-" for ch in name) or " " in value:
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must be a header name, optionally ': value', e.g. "
            f"'X-Forwarded-Proto: https', not {raw!r}"
        )
    return "HTTP_" + name.upper().replace("-", "_"), value


SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env("SECURE_PROXY_SSL_HEADER"))
# Probes and scrapes reach the app servers directly over plain HTTP (loopback or the private network).
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True

# django-axes (grassroots/accounts/logins.py): failed logins are counted per account, in whatever spelling the
# login was typed, and per address; 5 failures lock the account, 30 from one address lock the address, for
# 15 minutes. Behind a proxy the address is the one the proxy names in CLIENT_IP_HEADER (else every login
# would come from the proxy).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # this order: logins.LoginAttempts reads them so
AXES_USERNAME_CALLABLE = "grassroots.accounts.logins.account_key"
AXES_HANDLER = "grassroots.accounts.logins.LoginAttempts"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "grassroots.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "grassroots.accounts.logins.client_address"
# The request header in which the proxy in front names the client's address (nginx:
# proxy_set_header X-Real-IP $remote_addr;); unset: the address the request came from.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER")
if CLIENT_IP_HEADER and not re.fullmatch(r"[A-Za-z0-9-]+", CLIENT_IP_HEADER):
    raise ImproperlyConfigured(
        f"CLIENT_IP_HEADER must be a header name, e.g. X-Real-IP, not {CLIENT_IP_HEADER!r}"
    )
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- personal data --------------------------------------------------------------------------------------
# Development keys are derived from SECRET_KEY so that the embedded default works out of the box;
# production must set both variables (checked below).
FIELD_ENCRYPTION_KEYS = [k for k in env("FIELD_ENCRYPTION_KEYS").split(",") if k]
FIELD_HASH_KEY = env("FIELD_HASH_KEY")
if not DEBUG and (not FIELD_ENCRYPTION_KEYS or not FIELD_HASH_KEY):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set when DEBUG is off")

# --- i18n ------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
    # Mongolian in the traditional (Hudum) script, written top to bottom (docs/mongolian.md): residents' and
    # public pages; staff pages fall back to the English msgids where a string has no Mongolian yet.
    ("mn-mong", _("Mongolian (traditional script)")),
]
# Django knows "mn" only as Cyrillic Mongolian; without its own entry "mn-mong" would be named in Cyrillic.
LANG_INFO["mn-mong"] = {
    "bidi": False,
    "code": "mn-mong",
    "name": "Mongolian (traditional script)",
    "name_local": "\u182e\u1823\u1829\u182d\u1823\u182f",  # ᠮᠣᠩᠭᠣᠯ
}
# grassroots/locale_mn: Mongolian in the traditional script in place of Django's Cyrillic "mn", which gettext
# falls back to (grassroots/mongolian.py).
LOCALE_PATHS = [BASE_DIR / "grassroots" / "locale", BASE_DIR / "grassroots" / "locale_mn"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "grassroots" / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
_storage_backend = env("STORAGE_BACKEND", "filesystem")
if _storage_backend == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif _storage_backend == "s3":
    # django-storages reads the bucket, endpoint and region from the settings only (the credentials it
    # also finds in the environment, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as boto3 does).
    # Files are still linked and served through MEDIA_URL (grassroots/object_storage.py).
    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None  # unset: AWS itself
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME") or None
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE") or None  # "path" for most S3-compatible servers
    AWS_LOCATION = env("AWS_LOCATION")  # a folder inside the bucket, e.g. "media"
    AWS_DEFAULT_ACL = None  # objects take the bucket's policy: keep the bucket private
    _default_storage = {"BACKEND": "grassroots.object_storage.AppServedS3Storage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be filesystem or s3, not {_storage_backend!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# --- background work -------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
_tasks_backend = env("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}, not {_tasks_backend!r}"
    )
TASKS = {"default": _TASK_BACKENDS[_tasks_backend]}
RQ_QUEUES = {"default": {"URL": REDIS_URL}}
if _tasks_backend == "rq":
    # django-tasks-rq runs on django-rq, whose app must be installed: its system check stops every command
    # without it, and its "rqworker" command is what scripts/serve starts (the RQ dashboard appears in the
    # admin for superusers).
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

# --- email (notifications sent at once and the daily digest) --------------------------------------------
# Unset EMAIL_HOST: mail is written to the console (development); set it for an SMTP server.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 465 if env_bool("EMAIL_USE_SSL", False) else 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST) and not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "grassroots@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS and WeChat (docs/operations.md, "Notifications: SMS and WeChat") ---------------------------------


def env_pairs(name: str, default: dict[str, str]) -> dict[str, str]:
    """``a=b,c=d`` → {"a": "b", "c": "d"} (order kept: Tencent's template parameters are positional)."""
    raw = env(name)
    if not raw:
        return dict(default)
    pairs = {}
    for item in raw.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or value.strip() not in ("title", "body", "text"):
            raise ImproperlyConfigured(
                f"{name} must be name=title|body|text pairs separated by commas, not {raw!r}"
            )
        pairs[key.strip()] = value.strip()
    return pairs


NOTIFICATIONS_SMS_BACKEND = env("NOTIFICATIONS_SMS_BACKEND", "logging")
NOTIFICATIONS_SMS_ENDPOINT = env("NOTIFICATIONS_SMS_ENDPOINT")
NOTIFICATIONS_SMS_KEY_ID = env("NOTIFICATIONS_SMS_KEY_ID")
NOTIFICATIONS_SMS_KEY_SECRET = env("NOTIFICATIONS_SMS_KEY_SECRET")
NOTIFICATIONS_SMS_APP_ID = env("NOTIFICATIONS_SMS_APP_ID")  # Tencent's SmsSdkAppId
NOTIFICATIONS_SMS_REGION = env("NOTIFICATIONS_SMS_REGION")
NOTIFICATIONS_SMS_SIGN_NAME = env("NOTIFICATIONS_SMS_SIGN_NAME")
NOTIFICATIONS_SMS_TEMPLATE_ID = env("NOTIFICATIONS_SMS_TEMPLATE_ID")
NOTIFICATIONS_SMS_TEMPLATE_TEXT = env("NOTIFICATIONS_SMS_TEMPLATE_TEXT", "${title}：${body}")
NOTIFICATIONS_SMS_TEMPLATE_PARAMS = env_pairs(
    "NOTIFICATIONS_SMS_TEMPLATE_PARAMS", {"title": "title", "body": "body"}
)
NOTIFICATIONS_SMS_MAX_SEGMENTS = env_int("NOTIFICATIONS_SMS_MAX_SEGMENTS", 1)
NOTIFICATIONS_SMS_PARAM_MAX_CHARS = env_int("NOTIFICATIONS_SMS_PARAM_MAX_CHARS", 0)
NOTIFICATIONS_SMS_TIMEOUT = env_int("NOTIFICATIONS_SMS_TIMEOUT", 10)
NOTIFICATIONS_SMS_PER_PERSON_HOUR = env_int("NOTIFICATIONS_SMS_PER_PERSON_HOUR", 5)
NOTIFICATIONS_SMS_PER_PERSON_DAY = env_int("NOTIFICATIONS_SMS_PER_PERSON_DAY", 20)
NOTIFICATIONS_SMS_PER_MINUTE = env_int("NOTIFICATIONS_SMS_PER_MINUTE", 300)
NOTIFICATIONS_SEND_ATTEMPTS = env_int("NOTIFICATIONS_SEND_ATTEMPTS", 4)
try:
    NOTIFICATIONS_RETRY_SECONDS = [
        int(v) for v in env("NOTIFICATIONS_RETRY_SECONDS", "60,300,1800").split(",")
    ]
except ValueError as exc:
    raise ImproperlyConfigured("NOTIFICATIONS_RETRY_SECONDS must be seconds separated by commas") from exc
NOTIFICATIONS_WECHAT_BACKEND = env("NOTIFICATIONS_WECHAT_BACKEND", "logging")
NOTIFICATIONS_WECHAT_APP_ID = env("NOTIFICATIONS_WECHAT_APP_ID")
NOTIFICATIONS_WECHAT_APP_SECRET = env("NOTIFICATIONS_WECHAT_APP_SECRET")
NOTIFICATIONS_WECHAT_TEMPLATE_ID = env("NOTIFICATIONS_WECHAT_TEMPLATE_ID")
NOTIFICATIONS_WECHAT_TEMPLATE_FIELDS = env_pairs(
    "NOTIFICATIONS_WECHAT_TEMPLATE_FIELDS", {"thing1": "title", "thing2": "body"}
)
NOTIFICATIONS_WECHAT_FIELD_MAX_CHARS = env_int("NOTIFICATIONS_WECHAT_FIELD_MAX_CHARS", 20)
NOTIFICATIONS_WECHAT_ENDPOINT = env("NOTIFICATIONS_WECHAT_ENDPOINT")
NOTIFICATIONS_WECHAT_OAUTH_ENDPOINT = env("NOTIFICATIONS_WECHAT_OAUTH_ENDPOINT")
# The site's address as people open it, for the link a WeChat message carries (e.g. https://grid.example.cn).
NOTIFICATIONS_SITE_URL = env("NOTIFICATIONS_SITE_URL")

_SMS_NEEDS = {
    "aliyun": ["NOTIFICATIONS_SMS_KEY_ID", "NOTIFICATIONS_SMS_KEY_SECRET", "NOTIFICATIONS_SMS_SIGN_NAME",
               "NOTIFICATIONS_SMS_TEMPLATE_ID"],
    "tencent": ["NOTIFICATIONS_SMS_KEY_ID", "NOTIFICATIONS_SMS_KEY_SECRET", "NOTIFICATIONS_SMS_APP_ID",
                "NOTIFICATIONS_SMS_SIGN_NAME", "NOTIFICATIONS_SMS_TEMPLATE_ID"],
}  # fmt: skip
_WECHAT_NEEDS = {
    "official_account": ["NOTIFICATIONS_WECHAT_APP_ID", "NOTIFICATIONS_WECHAT_APP_SECRET",
                         "NOTIFICATIONS_WECHAT_TEMPLATE_ID"],
}  # fmt: skip
for _backend, _table in (
    (NOTIFICATIONS_SMS_BACKEND, _SMS_NEEDS),
    (NOTIFICATIONS_WECHAT_BACKEND, _WECHAT_NEEDS),
):
    _missing = [name for name in _table.get(_backend, []) if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(f"the {_backend} gateway needs {', '.join(_missing)}")
# Webhooks of outside systems (integrations; docs/integrations.md): tries per event, the waits before each
# next one (the last repeats), failed tries in a row before a subscription is disabled, and the time a
# receiver has to answer.
WEBHOOKS_ATTEMPTS = env_int("WEBHOOKS_ATTEMPTS", 6)
try:
    WEBHOOKS_RETRY_SECONDS = [
        int(v) for v in env("WEBHOOKS_RETRY_SECONDS", "30,120,600,3600,21600").split(",")
    ]
except ValueError as exc:
    raise ImproperlyConfigured("WEBHOOKS_RETRY_SECONDS must be seconds separated by commas") from exc
WEBHOOKS_DISABLE_AFTER = env_int("WEBHOOKS_DISABLE_AFTER", 15)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# Whether any subscription wants each kind of event is kept per process (integrations/services/webhooks.py),
# so that an event nobody subscribed to costs no query; another process's new subscription is seen within this.
try:
    WEBHOOKS_CHECK_SECONDS = float(env("WEBHOOKS_CHECK_SECONDS", "1"))
except ValueError as exc:
    raise ImproperlyConfigured("WEBHOOKS_CHECK_SECONDS must be a number of seconds") from exc
if min(WEBHOOKS_ATTEMPTS, WEBHOOKS_DISABLE_AFTER, WEBHOOKS_TIMEOUT_SECONDS) < 1:
    raise ImproperlyConfigured(
        "WEBHOOKS_ATTEMPTS, WEBHOOKS_DISABLE_AFTER and WEBHOOKS_TIMEOUT_SECONDS must be at least 1"
    )

# The sweep of what a lost task was to send (`manage.py outbox_sweep`, every 5 minutes): notifications never
# attempted and webhook tries never made count as lost once this late, and are looked for this far back.
OUTBOX_SWEEP_AFTER_SECONDS = env_int("OUTBOX_SWEEP_AFTER_SECONDS", 300)
OUTBOX_SWEEP_WITHIN_HOURS = env_int("OUTBOX_SWEEP_WITHIN_HOURS", 24)
if OUTBOX_SWEEP_AFTER_SECONDS < 60 or OUTBOX_SWEEP_WITHIN_HOURS < 1:
    raise ImproperlyConfigured(
        "OUTBOX_SWEEP_AFTER_SECONDS must be at least 60 and OUTBOX_SWEEP_WITHIN_HOURS at least 1"
    )
# Photo files that no row names (written for a transaction that was then rolled back) are deleted by
# `manage.py photos_purge_orphans` once this old.
PHOTOS_ORPHAN_AFTER_HOURS = env_int("PHOTOS_ORPHAN_AFTER_HOURS", 24)
if PHOTOS_ORPHAN_AFTER_HOURS < 1:
    raise ImproperlyConfigured("PHOTOS_ORPHAN_AFTER_HOURS must be at least 1")

if NOTIFICATIONS_SMS_MAX_SEGMENTS < 1 or NOTIFICATIONS_SEND_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_SMS_MAX_SEGMENTS and NOTIFICATIONS_SEND_ATTEMPTS must be at least 1"
    )

# --- the cache ---------------------------------------------------------------------------------------------
# Empty CACHE_URL: each process keeps its own (LocMemCache), which is all one machine needs. A Redis URL: one
# cache for every process of every app server, so that the WeChat access token is fetched once for all and
# the hotspots and map outlines are computed once for all. It is Django's RedisCache whose failures are
# misses (grassroots/shared_cache.py): pages keep working while Redis is down. Keys are prefixed, and the
# cache's clear() deletes only them, so it may share the task queue's Redis database; with maxmemory on a
# Redis the queue uses, evict volatile-* only (every cache key has a timeout, the queued tasks have none).
CACHE_URL = env("CACHE_URL")
CACHE_KEY_PREFIX = "grassroots"
CACHE_REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}  # the URL's query overrides them


def _cache_from_url(url: str) -> dict:
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(
            "CACHE_URL must be empty (each process keeps its own cache) or a Redis URL, "
            f"redis://host:6379/<database number> (or rediss:// for TLS), not a {parts.scheme or 'bare'!r} URL"
        )
    try:
        parts.port  # noqa: B018 - read to check it
    except ValueError:
        raise ImproperlyConfigured("CACHE_URL has a port that is not a number") from None
    if not parts.hostname or not re.fullmatch(r"/?\d*", parts.path):
        raise ImproperlyConfigured(
            "CACHE_URL must name the Redis host and, as its path, a database number: redis://host:6379/1"
        )
    return {
        "BACKEND": "grassroots.shared_cache.TolerantRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": dict(CACHE_REDIS_OPTIONS),
    }


CACHES = {"default": _cache_from_url(CACHE_URL)}

# --- maps and routing ------------------------------------------------------------------------------------
MAP_TILE_URL = env("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION")
# What "{s}" in MAP_TILE_URL stands for, one character each (Leaflet's subdomains): Tianditu serves
# t0 … t7.tianditu.gov.cn, so MAP_TILE_URL=https://t{s}.tianditu.gov.cn/… with MAP_TILE_SUBDOMAINS=01234567.
MAP_TILE_SUBDOMAINS = env("MAP_TILE_SUBDOMAINS", "abc")
ROUTING_NEAREST_METRES = env_int("ROUTING_NEAREST_METRES", 300)
# Patrol tracks are the grid worker's personal data: positions older than this are deleted by
# `manage.py patrol_tracks_purge` (run it daily).
PATROL_TRACK_RETENTION_DAYS = env_int("PATROL_TRACK_RETENTION_DAYS", 90)
# Positions closer in time than this to the last one kept are dropped (a modest rate for phones).
PATROL_POINT_MIN_SECONDS = env_int("PATROL_POINT_MIN_SECONDS", 15)
try:
    ROUTING_VERSION_CHECK_SECONDS = float(env("ROUTING_VERSION_CHECK_SECONDS", "1"))
except ValueError as exc:
    raise ImproperlyConfigured("ROUTING_VERSION_CHECK_SECONDS must be a number of seconds") from exc
# How long a process may use service types, time limits and calendar days changed by another process
# (cases/reference.py keeps a copy per process; the process making the change sees it at once).
try:
    CASES_REFERENCE_CHECK_SECONDS = float(env("CASES_REFERENCE_CHECK_SECONDS", "1"))
except ValueError as exc:
    raise ImproperlyConfigured("CASES_REFERENCE_CHECK_SECONDS must be a number of seconds") from exc
# From this month on, every staff page warns while the coming year's holidays are not entered (the State
# Council publishes the notice around November); this year's missing holidays are warned about all year.
CASES_CALENDAR_WARN_FROM_MONTH = env_int("CASES_CALENDAR_WARN_FROM_MONTH", 10)
if not 1 <= CASES_CALENDAR_WARN_FROM_MONTH <= 12:
    raise ImproperlyConfigured("CASES_CALENDAR_WARN_FROM_MONTH must be a month, 1 to 12")
# Callback surveys (回访): the share of self-reported cases called back after closure (calls, hotline tickets,
# walk-ins and visits always are), and the calls that may fail to reach a reporter before a case leaves the list.
try:
    CASES_CALLBACK_SAMPLE_SHARE = Decimal(env("CASES_CALLBACK_SAMPLE_SHARE", "0.1"))
except ArithmeticError as exc:
    raise ImproperlyConfigured("CASES_CALLBACK_SAMPLE_SHARE must be a number from 0 to 1") from exc
if not Decimal(0) <= CASES_CALLBACK_SAMPLE_SHARE <= Decimal(1):
    raise ImproperlyConfigured("CASES_CALLBACK_SAMPLE_SHARE must be a number from 0 to 1")
CASES_CALLBACK_MAX_ATTEMPTS = env_int("CASES_CALLBACK_MAX_ATTEMPTS", 3)
if CASES_CALLBACK_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("CASES_CALLBACK_MAX_ATTEMPTS must be at least 1")

# --- security headers (django-csp 4) ---------------------------------------------------------------------


def tile_hosts(url: str, subdomains: str) -> list[str]:
    """The origins a tile template loads from, each by name: a CSP wildcard covers only a whole leftmost
    label, so Tianditu's t{s}.tianditu.gov.cn cannot be written t*.tianditu.gov.cn."""
    hosts: list[str] = []
    for sub in subdomains if "{s}" in url else [""]:
        parts = urlsplit(url.replace("{s}", sub))
        if f"{parts.scheme}://{parts.netloc}" not in hosts:
            hosts.append(f"{parts.scheme}://{parts.netloc}")
    return hosts


_tile_hosts = tile_hosts(MAP_TILE_URL, MAP_TILE_SUBDOMAINS) if MAP_TILE_URL else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_hosts],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- operations: logs, health, metrics (docs/operations.md "Running in production") ------------------------
# Every log line passes the free-text masker (grassroots.masking.MaskingLogFilter) on its one handler and carries
# the request's id; in production (LOG_FORMAT=json, the default when DEBUG is off) it is one JSON object per line
# (grassroots.logs.JsonFormatter, which masks the extra fields too). Django's own loggers lose their default
# handlers (console under DEBUG, mail to ADMINS) and reach it through the root.
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "masked": {"()": "grassroots.masking.MaskingLogFilter"},
        "request_id": {"()": "grassroots.logs.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "grassroots.logs.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "masked"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}

# /metrics answers these addresses (comma separated, networks allowed: 10.0.0.0/8) as the client's address is
# seen (CLIENT_IP_HEADER behind a proxy), or any request with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_TOKEN = env("METRICS_TOKEN")
try:
    import ipaddress as _ipaddress

    METRICS_ALLOWED_NETWORKS = [
        _ipaddress.ip_network(a.strip(), strict=False)
        for a in env("METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1").split(",")
        if a.strip()
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES: {exc}") from exc
# scripts/serve (grassroots/operations/supervisor.py): gunicorn workers (0: 2 x cores + 1), task worker processes,
# and how long the children get to stop after SIGTERM before they are killed (the whole stop stays under 10 s).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 0) or 2 * (os.cpu_count() or 1) + 1
TASK_WORKERS = env_int("TASK_WORKERS", 1)
try:
    SERVE_STOP_SECONDS = float(env("SERVE_STOP_SECONDS", "8"))
except ValueError as exc:
    raise ImproperlyConfigured("SERVE_STOP_SECONDS must be a number of seconds") from exc
if WEB_CONCURRENCY < 1 or TASK_WORKERS < 0 or not 0 < SERVE_STOP_SECONDS <= 9:
    raise ImproperlyConfigured(
        "WEB_CONCURRENCY must be at least 1, TASK_WORKERS at least 0, SERVE_STOP_SECONDS from 0 to 9"
    )
# /health/ready fails when the oldest task waiting has waited longer than this (the workers fall behind).
HEALTH_TASK_QUEUE_MAX_AGE_SECONDS = env_int("HEALTH_TASK_QUEUE_MAX_AGE_SECONDS", 300)
