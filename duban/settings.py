"""Django settings: SQLite in WAL mode under the data directory by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DUBAN_DATA_DIR", BASE_DIR / "data")).resolve()
EVIDENCE_DIR = DATA_DIR / "evidence"


def _secret_key() -> str:
    """A key generated once per data directory, so sessions survive restarts without a key in the repository."""
    if key := os.environ.get("DUBAN_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DUBAN_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("DUBAN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "duban.ledger",
    "duban.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "duban.urls"
WSGI_APPLICATION = "duban.wsgi.application"

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
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "duban.sqlite3",
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
            # writers queue instead of failing on a lock upgrade.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # memory-hard; the others only verify old hashes
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a login while its username and address are locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Throttled logins (django-axes): five failed logins for one username from one address lock that pair out for a
# quarter of an hour; a successful login clears the count. Only failures are recorded, not every login.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "duban API", "VERSION": "1", "SERVE_INCLUDE_SCHEMA": False,
    # Three fields are called `kind`: name each enumeration after its choices, not after a hash.
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "duban.ledger.choices.ItemKind",
        "OrganisationKindEnum": "duban.ledger.choices.OrganisationKind",
        "ChangeKindEnum": "duban.ledger.choices.ChangeKind",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("DUBAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("DUBAN_HTTPS", "") == "1"
X_FRAME_OPTIONS = "DENY"

# The ledger's own settings.
DUBAN_SAME_DAY_VERIFICATION = os.environ.get("DUBAN_SAME_DAY_VERIFICATION", "flag")  # "flag" or "refuse"
DUBAN_REPORTING_INTERVAL_DAYS = 20  # working days without a progress report before an active item is flagged
DUBAN_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
DUBAN_EVIDENCE_TYPES = (
    "application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

# Reminders, escalation and supervision notices: e-mail through Django's backends, printed to the console unless
# DUBAN_EMAIL_BACKEND names another (e.g. django.core.mail.backends.smtp.EmailBackend with the EMAIL_* below).
EMAIL_BACKEND = os.environ.get("DUBAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DUBAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DUBAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DUBAN_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DUBAN_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DUBAN_EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DUBAN_FROM_EMAIL", "duban@localhost")
DUBAN_REMINDER_DAYS = int(os.environ.get("DUBAN_REMINDER_DAYS", "5"))  # working days before the due date a reminder goes out
# Indicators on their path: the share of the planned progress an observation reaches (issue 4, duban.ledger.services.indicators).
DUBAN_INDICATOR_AT_RISK = float(os.environ.get("DUBAN_INDICATOR_AT_RISK", "0.9"))  # below this share: at risk (on track from it up)
DUBAN_INDICATOR_OFF_TRACK = float(os.environ.get("DUBAN_INDICATOR_OFF_TRACK", "0.7"))  # below this share: off track
