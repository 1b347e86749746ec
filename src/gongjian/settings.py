"""Gongjian settings, driven by GONGJIAN_* environment variables (see .env.example).

The defaults run the embedded mode: one process, SQLite in ``GONGJIAN_DATA_DIR``. Production sets
``GONGJIAN_ENV=production`` and must then provide a secret key and allowed hosts, or start-up fails.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"GONGJIAN_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    return default if value == "" else value.lower() in {"1", "true", "yes", "on"}


PRODUCTION = env("ENV", "embedded") == "production"
DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    if key := env("SECRET_KEY"):
        # Django's own deploy check: at least 50 characters and 5 distinct ones.
        if PRODUCTION and (len(key) < 50 or len(set(key)) < 5):
            raise ImproperlyConfigured(
                "GONGJIAN_SECRET_KEY is too weak for production: it needs at least 50 characters and at least 5 "
                "distinct ones (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
            )
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("GONGJIAN_SECRET_KEY must be set when GONGJIAN_ENV=production")
    # Embedded mode: a random key kept beside the database, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(",") if h]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("GONGJIAN_ALLOWED_HOSTS must be set when GONGJIAN_ENV=production")
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]
# A form sent from a stale page: the site's own page says what to do (Django's is in English).
CSRF_FAILURE_VIEW = "gongjian.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "gongjian.core",
    "gongjian.accounts",
    "gongjian.org",
    "gongjian.projects",
    "gongjian.reports",
    "gongjian.lights",
    "gongjian.assess",
    "gongjian.dispatch",  # only its migrations: the tables it made now belong to the four apps below
    "gongjian.meetings",
    "gongjian.daily",
    "gongjian.onemap",
    "gongjian.land",
    "gongjian.pipeline",
    "gongjian.assignments",
    "gongjian.documents",
    "gongjian.exchange",
    "gongjian.jobs",
    "gongjian.schedule",
    "gongjian.cockpit",
    "gongjian.demo",
    "gongjian.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongjian.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "gongjian.core.middleware.InputGuardMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongjian.accounts.middleware.SecurityGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gongjian.urls"
WSGI_APPLICATION = "gongjian.wsgi.application"

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
                "gongjian.core.context_processors.navigation",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gongjian.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the page readers go on while an import writes; IMMEDIATE avoids lock upgrades mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
# A province reads pages and API lists from a PostgreSQL streaming replica (core/replica.py); writes, the worker
# and read-after-write stay on the primary. In tests the replica is the primary under another name.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"), conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["gongjian.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "gongjian.core.replica.ReplicaReadsMiddleware",
    )
REPLICA_PIN_SECONDS = int(env("REPLICA_PIN_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gongjian.accounts.backends.LockoutBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0 level 3 testers expect three of four character classes (reference/security-and-formats.md 1.2).
    {"NAME": "gongjian.accounts.validators.CharacterClassValidator"},
    # 等保 practice: none of the last five passwords again.
    {
        "NAME": "gongjian.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"count": int(env("PASSWORD_HISTORY", "5"))},
    },
]
# Days a password lives before the next sign-in must change it (等保 8.1.4.1 a: 定期更换); 0 = never.
GONGJIAN_PASSWORD_MAX_DAYS = int(env("PASSWORD_MAX_DAYS", "90"))
# API tokens: the default lifetime offered at creation, and the longest allowed.
GONGJIAN_TOKEN_DAYS = int(env("TOKEN_DAYS", "180"))
GONGJIAN_TOKEN_MAX_DAYS = int(env("TOKEN_MAX_DAYS", "365"))
# Second factor (TOTP, RFC 6238): the name authenticator apps show, and how long a half-done sign-in waits.
OTP_TOTP_ISSUER = env("OTP_ISSUER", "攻坚")
GONGJIAN_OTP_PENDING_SECONDS = 300
# The audit trail's hash chain: sm3 (GB/T 32905, the national algorithm 密评 expects) or sha256.
GONGJIAN_AUDIT_HASH = env("AUDIT_HASH", "sm3")
# The latest events the auditor's page checks on each visit (the whole chain: the tick once a day, the command).
GONGJIAN_AUDIT_PAGE_EVENTS = int(env("AUDIT_PAGE_EVENTS", "20000"))
if GONGJIAN_AUDIT_HASH not in {"sm3", "sha256"}:
    raise ImproperlyConfigured("GONGJIAN_AUDIT_HASH must be sm3 or sha256")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # each role on its work (core.views.home)
LOGOUT_REDIRECT_URL = "accounts:login"
# 等保: idle sessions end after 30 minutes; the cookie is renewed on each request.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION and env_bool("HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto: HTTPS only, with HSTS.
if env_bool("SECURE_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCK_MINUTES = int(env("LOGIN_LOCK_MINUTES", "15"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
# A list filter's empty choice reads 全部 (django-filter writes ---------); the forms' reads 请选择 (core/forms.py).
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Background work (recomputes, assessment runs, imports, exports, documents) is queued in the database and run by
# `gongjian worker` (a thread of `gongjian serve` in the embedded mode). A city with more work than one worker
# handles points this at another django-tasks backend (e.g. RQ); GONGJIAN_TASKS=immediate runs each at once, in
# the request that asks (tests).
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(env("TASKS", "database"), env("TASKS", "database"))
    }
}
# A request's body besides its files (forms and JSON): 10 MB is far more than any form of the system takes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Site photos: size and count per report, and when one is flagged as taken too early or too far from the site.
GONGJIAN_PHOTO_MAX_BYTES = int(env("PHOTO_MAX_MB", "15")) * 1024 * 1024
GONGJIAN_PHOTOS_PER_REPORT = int(env("PHOTOS_PER_REPORT", "20"))
GONGJIAN_PHOTO_MAX_DAYS_BEFORE = int(env("PHOTO_MAX_DAYS_BEFORE", "15"))
GONGJIAN_PHOTO_MAX_DISTANCE_M = int(env("PHOTO_MAX_DISTANCE_M", "2000"))
# Imports (.xlsx and CSV): checked before a file is read, so that a small hostile file is refused instead of
# exhausting memory. Rows and columns count from A1; cells are rows × columns of one sheet (about 32 bytes each
# in the reader); the uncompressed size is the workbook's zip inflated.
GONGJIAN_IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "200000"))
GONGJIAN_IMPORT_MAX_COLUMNS = int(env("IMPORT_MAX_COLUMNS", "200"))
GONGJIAN_IMPORT_MAX_CELLS = int(env("IMPORT_MAX_CELLS", "5000000"))
GONGJIAN_IMPORT_MAX_UNCOMPRESSED_MB = int(env("IMPORT_MAX_UNCOMPRESSED_MB", "200"))
# An import of more data rows than this runs in the background (the page follows its task); smaller ones at once.
GONGJIAN_IMPORT_BACKGROUND_ROWS = int(env("IMPORT_BACKGROUND_ROWS", "2000"))
# Exports (.xlsx): a list longer than this many rows is written by a background job, not inside the request.
GONGJIAN_EXPORT_BACKGROUND_ROWS = int(env("EXPORT_BACKGROUND_ROWS", "10000"))
# A finished job's file (an export, letters, an error report) is kept this many days, then removed by the tick.
GONGJIAN_JOB_FILES_DAYS = int(env("JOB_FILES_DAYS", "7"))
# Official documents: the issuing office's name (发文机关) and its prefix for document numbers (机关代字).
GONGJIAN_ORGAN = env("ORGAN", "区重点项目建设工作领导小组办公室")
GONGJIAN_DOC_PREFIX = env("DOC_PREFIX", "重点办")
# Cases (督办件): working days to solve one, added at each step up the ladder, and of silence before a reminder.
GONGJIAN_CASE_WORKDAYS = int(env("CASE_WORKDAYS", "10"))
GONGJIAN_LADDER_WORKDAYS = int(env("LADDER_WORKDAYS", "5"))
GONGJIAN_REMIND_WORKDAYS = int(env("REMIND_WORKDAYS", "5"))
# The cockpit's wall screen (大屏) reloads itself this often.
GONGJIAN_COCKPIT_REFRESH_SECONDS = int(env("COCKPIT_REFRESH_SECONDS", "300"))

# Notifications: e-mail goes out only when an SMTP host is set; the webhook only when its URL is set.
EMAIL_HOST = env("SMTP_HOST")
EMAIL_PORT = int(env("SMTP_PORT", "25"))
EMAIL_HOST_USER = env("SMTP_USER")
EMAIL_HOST_PASSWORD = env("SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("SMTP_TLS", False)
DEFAULT_FROM_EMAIL = env("MAIL_FROM", "gongjian@localhost")
GONGJIAN_WEBHOOK_URL = env("WEBHOOK_URL")
GONGJIAN_WEBHOOK_SECRET = env("WEBHOOK_SECRET")
if GONGJIAN_WEBHOOK_URL and not GONGJIAN_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "GONGJIAN_WEBHOOK_SECRET must be set with GONGJIAN_WEBHOOK_URL (messages are signed)"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
