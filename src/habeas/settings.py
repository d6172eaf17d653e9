"""Django settings for Habeas, read from the environment.

DATABASE_URL          default: an SQLite file under var/
HABEAS_SECRET_KEY     required when HABEAS_DEBUG is off
HABEAS_DEBUG          "1" to turn on debug pages (never in production)
HABEAS_ALLOWED_HOSTS  comma-separated host names
HABEAS_VAR_DIR        where the embedded database and uploads live (default: ./var)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("HABEAS_PROJECT_DIR", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("HABEAS_VAR_DIR", PROJECT_DIR / "var"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("HABEAS_DEBUG")
SECRET_KEY = os.environ.get("HABEAS_SECRET_KEY", "")
if not SECRET_KEY:
    # Development and tests only: a key derived from the var directory, stable across restarts.
    SECRET_KEY = "habeas-insecure-development-key-" + str(VAR_DIR)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("HABEAS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the widgets' own templates, for the project's form renderer
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "axes",
    "django_otp",  # second factor for staff (issue #8)
    "django_otp.plugins.otp_totp",
    "habeas.core",
    "habeas.accounts",
    "habeas.audit",
    "habeas.estate",
    "habeas.people",
    "habeas.custody",
    "habeas.housing",
    "habeas.sentencing",
    "habeas.regime",
    "habeas.conditions",
    "habeas.incidents",
    "habeas.health",
    "habeas.ledger",
    "habeas.standards",
    "habeas.reports",
    "habeas.demo",
]

# The domain apps, in the order their routers, pages and demo steps are assembled: each may
# provide ``api.py`` (a django-ninja ``router``), ``urls.py`` (pages) and ``demo.py`` (``build``).
HABEAS_APPS = [
    "accounts",
    "audit",
    "estate",
    "people",
    "custody",
    "housing",
    "sentencing",
    "regime",
    "conditions",
    "incidents",
    "health",
    "ledger",
    "standards",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "habeas.accounts.middleware.SlidingSessionMiddleware",
    # Second factor (issue #8): OTPMiddleware says whether the session passed it; ours sends a
    # session that still needs it to the verification (or enrolment) page.
    "django_otp.middleware.OTPMiddleware",
    "habeas.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "habeas.accounts.middleware.UserLanguageMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while an account is locked out
    "habeas.accounts.backends.UserBackend",  # Django's model backend; see its docstring
]
# Lockout after repeated failures (django-axes): per user name, so one person's mistakes do not
# lock a whole shift out of a shared terminal.
AXES_FAILURE_LIMIT = int(os.environ.get("HABEAS_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("HABEAS_LOCKOUT_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# axes.W006 warns that IP addresses are not part of the lockout. Keyed on the user name alone,
# rotating addresses, agents or cookies does not help an attacker; adding the address would let
# five mistyped passwords on a wing's shared terminal lock out a whole shift.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

ROOT_URLCONF = "habeas.urls"
WSGI_APPLICATION = "habeas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "habeas.core.context.shell",
            ],
        },
    },
]

FORM_RENDERER = "habeas.core.forms.Renderer"

_default_sqlite = VAR_DIR / "habeas.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_default_sqlite}"),
        conn_max_age=int(os.environ.get("HABEAS_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation (issue #8): on a 40,000-person roll board PostgreSQL spent 0.2 s of a
    # 0.4 s query compiling it; short interactive queries never win that time back.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server, and a statement run twice on a connection is prepared
    # (issue #8): PostgreSQL then plans the few dozen statements of the busiest pages once per
    # connection, not on every request, which halved its CPU on a person's record. Set
    # HABEAS_PG_PREPARE=0 behind a pooler in transaction mode (pgbouncer), which cannot keep
    # prepared statements; restart the server after a migration (the plans are per connection).
    _prepare = int(os.environ.get("HABEAS_PG_PREPARE", "2"))
    if _prepare > 0:
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = _prepare
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead of
    # failing with "database is locked" when one of them upgrades a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] == str(_default_sqlite):
        VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm (package.json) at install time, never from a CDN.
_VENDOR = {
    "vendor/pico": PROJECT_DIR / "node_modules" / "@picocss" / "pico" / "css",
    "vendor/htmx": PROJECT_DIR / "node_modules" / "htmx.org" / "dist",
}
STATICFILES_DIRS = [(prefix, str(path)) for prefix, path in _VENDOR.items() if path.is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_ENGINE = "habeas.accounts.sessions"  # Django's database sessions, read prepared
SESSION_COOKIE_AGE = int(os.environ.get("HABEAS_SESSION_SECONDS", str(30 * 60)))
# Idle sessions end after SESSION_COOKIE_AGE; accounts.middleware.SlidingSessionMiddleware renews
# a session at most once every SESSION_REFRESH_SECONDS rather than writing it on every request.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: only our own scripts and styles; no framing (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = _flag("HABEAS_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("HABEAS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = _flag("HABEAS_SSL_REDIRECT", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HABEAS_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_MAX_LIMIT = 1000

# --- Anchored audit (issue #8): checkpoints signed with a key kept outside the database ---------
# HABEAS_AUDIT_KEY: the Ed25519 private key file (`habeas audit keygen FILE`), never in backups of
# the database; HABEAS_AUDIT_PUBLIC_KEY: the public key that verifies (an inspector holds only
# that); HABEAS_AUDIT_CHECKPOINTS: a file outside the database (ideally another machine's mount or
# write-once storage) each checkpoint is also appended to (JSON lines). See docs/backups.md.
HABEAS_AUDIT_KEY = os.environ.get("HABEAS_AUDIT_KEY", "")
HABEAS_AUDIT_PUBLIC_KEY = os.environ.get("HABEAS_AUDIT_PUBLIC_KEY", "")
HABEAS_AUDIT_CHECKPOINTS = os.environ.get("HABEAS_AUDIT_CHECKPOINTS", "")

# --- Second factor (issue #8) --------------------------------------------------------------------
# Roles that must pass a TOTP second factor after the password (comma-separated; empty: none by
# policy). Any user who has enrolled a device is asked for it whatever their role.
DEFAULT_SECOND_FACTOR_ROLES = "governor,administrator,inspector"
HABEAS_SECOND_FACTOR_ROLES = [
    r.strip()
    for r in os.environ.get("HABEAS_SECOND_FACTOR_ROLES", DEFAULT_SECOND_FACTOR_ROLES).split(",")
    if r.strip()
]
# Changing a user's role or facilities needs password and code again within this many seconds.
HABEAS_REAUTH_SECONDS = int(os.environ.get("HABEAS_REAUTH_SECONDS", "300"))
# The roll board's pages show the roll as computed at most this many seconds ago, with the moment
# it was computed (0: computed on every request). The API and `habeas roll` always compute it.
HABEAS_ROLL_BOARD_SECONDS = int(os.environ.get("HABEAS_ROLL_BOARD_SECONDS", "5"))
# What every worker process of the server shares (issue #8): the roll board's roll and its
# rendered page, so that a shift watching one board costs one roll every few seconds, not one per
# worker. Files under HABEAS_CACHE_DIR (var/cache); the keys name the database, so two servers of
# different databases on one machine never see each other's boards.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("HABEAS_CACHE_DIR", str(VAR_DIR / "cache")),
        "KEY_PREFIX": hashlib.sha256(
            "|".join(
                str(DATABASES["default"].get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME")
            ).encode()
        ).hexdigest()[:12],
    },
}
OTP_TOTP_ISSUER = "Habeas"
