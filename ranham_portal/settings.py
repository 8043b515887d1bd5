"""Settings of the RANHAM portal, read from environment variables only.

With nothing set it runs on an embedded default (SQLite and a file-system Celery broker in
``var/``), so a newcomer needs no services. Production sets DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ranham_portal.observability import init_sentry, logging_config, parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name, default):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY harus diisi bila DEBUG mati (DEBUG=0).")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY terlalu pendek atau memakai kunci pengembangan.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reverse proxies in front that append X-Forwarded-For: the public checks count per visitor.
# Forwarded headers are believed only from TRUSTED_PROXIES (addresses or networks; with only
# a count, the loopback and private networks of a container network): accounts.network.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
PIAGAM_LOOKUP_LIMIT = envint("PIAGAM_LOOKUP_LIMIT", "20")  # lookups per minute per address
PIAGAM_UPLOAD_LIMIT = envint("PIAGAM_UPLOAD_LIMIT", "10")  # file checks per minute per address

INSTALLED_APPS = [
    # The Django admin asks for the second factor too (accounts.admin_site).
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "outbox",
    "accounts",
    "reporting",
    "evaluation",
    "piagam",
    "notifications",
    "published",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]
# Demo and national-scale seeding is development tooling: it never ships to a production server.
DEMO = envbool("DEMO", "0")
if DEBUG or DEMO:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "ranham_portal.observability.request_id_middleware",
    # A body bigger than its view takes is answered 413 before anything reads it.
    "accounts.middleware.body_size_guard",
    # Before anything reads a parameter, a cookie or the body into the database.
    "accounts.middleware.MalformedInputMiddleware",
    # Before anything reads X-Forwarded-*: only a declared proxy may send them.
    "accounts.network.forwarded_headers_from_proxies_only",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.permissions_policy",
    "accounts.middleware.framing_follows_x_frame_options",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.language_by_choice_only",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.renew_idle_session",
    "accounts.middleware.VerifiedDeviceMiddleware",
    "accounts.middleware.second_factor_gate",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a locked-out login into the portal's lockout page.
    "axes.middleware.AxesMiddleware",
]

# No inline script or style anywhere: pages load only the portal's own static files. Evidence
# previews are same-origin frames on the review screen (see framing_follows_x_frame_options).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# A refused form (expired page, missing cookie) explains itself in the portal's look.
CSRF_FAILURE_VIEW = "ranham_portal.views.csrf_failure"

ROOT_URLCONF = "ranham_portal.urls"
WSGI_APPLICATION = "ranham_portal.wsgi.application"

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
            ],
        },
    },
    {
        # The rows pages repeat by the dozen (review items, evidence boxes, form fields):
        # Jinja2 draws them several times faster than Django's engine, autoescaped as well.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "ranham_portal.jinja2.environment"},
    },
]

if "DATABASE_URL" not in os.environ:
    # The embedded default keeps its database in var/; a newcomer should not have to make it.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ranham.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        # A kept connection is checked (a cheap round trip) at the first query of each request:
        # after a PostgreSQL restart the next request reconnects instead of answering 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker in the tests can share the test database;
    # one per test process, so that two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2 first (tuned in accounts.hashers); PBKDF2 stays after it so that old hashes still
# verify and are rehashed with Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Axes first: a locked-out user name or address is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LockoutBackend",
    "accounts.backends.PortalBackend",
]
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(24 * 3600))

# Sessions end after SESSION_COOKIE_AGE seconds without a request: accounts.middleware
# renews a signed-in session at most every five minutes (not SESSION_SAVE_EVERY_REQUEST,
# which would write the session row on every page), and the cookie dies with the browser.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(2 * 3600))
SESSION_RENEW_SECONDS = 300
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes and accounts.lockout): after AXES_FAILURE_LIMIT failures for
# one user name from one address, logins for that pair are refused for AXES_COOLOFF_MINUTES.
# Attempts live in the database, so every web process counts the same failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
# A user name together with an address: a guesser locks itself out, not the owner.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Tries refused during a lock neither count nor extend it (the lock ends when it said).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.network.lockout_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A user name that fails from many addresses is slowed (accounts.lockout): after
# LOGIN_SLOWDOWN_AFTER failures each try waits twice as long as the last, from 30 s up to
# LOGIN_SLOWDOWN_MAX_SECONDS; counted in the shared cache.
LOGIN_SLOWDOWN_AFTER = envint("LOGIN_SLOWDOWN_AFTER", str(AXES_FAILURE_LIMIT))
LOGIN_SLOWDOWN_FIRST_SECONDS = envint("LOGIN_SLOWDOWN_FIRST_SECONDS", "30")
LOGIN_SLOWDOWN_MAX_SECONDS = envint("LOGIN_SLOWDOWN_MAX_SECONDS", "1800")
# The owner's single-use unlock link (and the pass it gives the browser) lasts this long.
UNLOCK_LINK_MAX_AGE = envint("UNLOCK_LINK_MAX_AGE", str(30 * 60))
# Password reset and unlock requests: per client address and per target, in an hour.
PASSWORD_RESET_LIMIT_PER_ADDRESS = envint("PASSWORD_RESET_LIMIT_PER_ADDRESS", "5")
PASSWORD_RESET_LIMIT_PER_TARGET = envint("PASSWORD_RESET_LIMIT_PER_TARGET", "3")

# Second factor (django-otp): required for admins, offered to evaluators (accounts.two_factor).
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Portal Aksi HAM")

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The ministry works in Jakarta time unless a region's own zone applies.
# The admin names the zone after every time it prints.
FORMAT_MODULE_PATH = ["ranham_portal.formats"]
DISPLAY_TIME_ZONE = os.environ.get("DISPLAY_TIME_ZONE", "Asia/Jakarta")

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Evidence and certificates are served only through permission-checked views: no MEDIA_URL.


def object_storage(environ):
    """The S3-compatible bucket of evidence and piagam files, or None for local files.

    ``STORAGE_URL=s3://BUCKET?endpoint_url=http://host:9000&region=...&access_key=...&
    secret_key=...`` or the usual ``AWS_STORAGE_BUCKET_NAME``, ``AWS_S3_ENDPOINT_URL``,
    ``AWS_S3_REGION_NAME``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``.
    """
    from urllib.parse import parse_qs, urlsplit

    url = environ.get("STORAGE_URL", "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ImproperlyConfigured("STORAGE_URL must look like s3://bucket?endpoint_url=...")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        options = {
            "bucket_name": parts.netloc,
            "endpoint_url": query.get("endpoint_url") or None,
            "region_name": query.get("region") or None,
            "access_key": query.get("access_key") or None,
            "secret_key": query.get("secret_key") or None,
        }
    elif environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        options = {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"].strip(),
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        }
    else:
        return None
    options.update(
        # Private objects, reached only through presigned URLs of a minute.
        default_acl=None,
        querystring_auth=True,
        querystring_expire=60,
        # Names are generated (evidence) or fixed per certificate (piagam): a put replaces
        # whole, atomically, so a reader never sees half a file under its final name.
        file_overwrite=True,
        signature_version="s3v4",
        addressing_style="path" if options["endpoint_url"] else None,
    )
    return {key: value for key, value in options.items() if value is not None}


OBJECT_STORAGE = object_storage(os.environ)
# With local files, downloads may be handed to nginx (X-Accel-Redirect to an internal location).
SENDFILE_NGINX = envbool("SENDFILE_NGINX", "0")
SENDFILE_NGINX_PREFIX = os.environ.get("SENDFILE_NGINX_PREFIX", "/_berkas/")
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": OBJECT_STORAGE}
        if OBJECT_STORAGE
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

if OBJECT_STORAGE:
    # A preview answered with a presigned URL is framed from the bucket's own origin.
    from urllib.parse import urlsplit as _urlsplit

    _endpoint = _urlsplit(OBJECT_STORAGE.get("endpoint_url") or "https://s3.amazonaws.com")
    _bucket_origin = f"{_endpoint.scheme}://{_endpoint.netloc}"
    for _directive in ("img-src", "frame-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(_bucket_origin)
    if not OBJECT_STORAGE.get("endpoint_url"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"].append("https://*.amazonaws.com")
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("https://*.amazonaws.com")

# Cached pages carry a version in their key, so a per-process cache is never stale; a shared
# Redis cache (CACHE_URL) lets all web processes share what one of them computed.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "ranham_portal.caching.PortalRedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that is away or hangs costs a page at most this long, once: then the
            # cache reads as empty for a while (ranham_portal.caching) and pages still answer.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("CACHE_TIMEOUT", "1")),
            },
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ranham"}
    )
}
# With a shared cache, sessions are read from it and written through to the database; a
# per-process cache could keep a logged-out session alive in another process, so not then.
# With Redis away the session is read from the database (the cache then reads as empty).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EVIDENCE_ALLOWED_TYPES = envlist("EVIDENCE_ALLOWED_TYPES", "application/pdf,image/jpeg,image/png")
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
# Images are refused from their header above this many pixels, before any decoding.
EVIDENCE_MAX_PIXELS = envint("EVIDENCE_MAX_PIXELS", str(40_000_000))
EVIDENCE_MAX_PDF_PAGES = envint("EVIDENCE_MAX_PDF_PAGES", "500")
# The memory decoding one image may take in the web process, known from its header (PNGs of
# more than about 10 megapixels are refused; JPEGs are decoded at 1/8 scale).
EVIDENCE_MAX_DECODE_BYTES = envint("EVIDENCE_MAX_DECODE_BYTES", str(40 * 1024 * 1024))
# Quotas, counting the files that stay on an item or a report after a save.
EVIDENCE_MAX_FILES_PER_ITEM = envint("EVIDENCE_MAX_FILES_PER_ITEM", "10")
EVIDENCE_MAX_BYTES_PER_ITEM = envint("EVIDENCE_MAX_BYTES_PER_ITEM", str(50 * 1024 * 1024))
EVIDENCE_MAX_FILES_PER_REPORT = envint("EVIDENCE_MAX_FILES_PER_REPORT", "100")
# Also the most one save may upload: a bigger declared body is answered 413 unread.
EVIDENCE_MAX_BYTES_PER_REPORT = envint("EVIDENCE_MAX_BYTES_PER_REPORT", str(100 * 1024 * 1024))
# Accounts imported from a spreadsheet (accounts.imports): the file and its rows are bounded
# before and while they are read.
ACCOUNT_IMPORT_MAX_BYTES = envint("ACCOUNT_IMPORT_MAX_BYTES", str(5 * 1024 * 1024))
ACCOUNT_IMPORT_MAX_ROWS = envint("ACCOUNT_IMPORT_MAX_ROWS", "5000")
# Uploads beyond this stream to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The form fields of a request (not its files): a report's narratives fit with room to spare.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(4 * 1024 * 1024))
# Files in one request; the public piagam check takes one (see piagam.views).
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES_PER_REPORT

# With nothing set, a development run writes each mail as a file in var/mail/ to read.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ranham@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
# Optional SMS/WhatsApp gateway: a signed JSON POST (short text and a link) per notice.
NOTIFY_GATEWAY_URL = os.environ.get("NOTIFY_GATEWAY_URL", "")
NOTIFY_GATEWAY_SECRET = os.environ.get("NOTIFY_GATEWAY_SECRET", "")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis hands an unacknowledged message to another worker after the visibility timeout,
    # so it must be longer than the longest task's hard limit (tests/outbox/test_task_limits.py),
    # or a task still running would be started a second time.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "1800"),
    }
    # Consumers that share one Redis database (parallel test processes) keep their queues
    # apart under a prefix of their own.
    if os.environ.get("CELERY_BROKER_KEY_PREFIX"):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["CELERY_BROKER_KEY_PREFIX"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "0")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost the broker connects again (up to 100 times, backing off; then it exits
# and its supervisor starts it again).
CELERY_BROKER_CONNECTION_RETRY = True
# Running tasks keep running while the broker is away; their messages come back to a worker
# (acks_late) and every task is safe to run twice (its row is claimed first).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Queues: "celery" (sweeps, recomputation, outbox entries), "notices" (deliveries and notice
# handlers), "pdf" (rendering). Each has workers of its own in production (docker-compose.yml),
# so a hanging gateway never holds a piagam. Workers start with --without-gossip
# --without-mingle --without-heartbeat: see README, Operations.
WORKER_QUEUES = ("celery", "notices", "pdf")
CELERY_TASK_ROUTES = {
    "piagam.tasks.render_certificate": {"queue": "pdf"},
    "notifications.delivery.sweep_deliveries": {"queue": "notices"},
}
# Every task has a hard time limit (tests/outbox/test_task_limits.py).
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# A WeasyPrint process grows with every document it renders: recycle workers before it matters.
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("CELERY_WORKER_MAX_TASKS_PER_CHILD", "500")
CELERY_WORKER_MAX_MEMORY_PER_CHILD = envint("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "400000")  # KiB
CELERY_BEAT_SCHEDULE = {
    "sync-holidays": {
        "task": "accounts.tasks.sync_holidays_task",
        "schedule": crontab(minute=0, hour=1, day_of_month=1),
    },
    "recompute-scores": {
        "task": "evaluation.tasks.recompute_recent_cycles",
        "schedule": crontab(minute=30, hour=17),  # 00.30 WIB
    },
    "sweep-certificates": {
        "task": "piagam.tasks.sweep_certificates",
        "schedule": float(envint("PIAGAM_SWEEP_SECONDS", "15")),
    },
    # Side effects of committed changes that no task took (broker down, a killed worker).
    "outbox-sweep": {
        "task": "outbox.sweep",
        "schedule": 60.0,
    },
    "worker-heartbeat": {
        "task": "ranham_portal.worker_heartbeat",
        "schedule": 20.0,
    },
    "remove-orphan-pdfs": {
        "task": "piagam.tasks.remove_orphan_pdfs",
        "schedule": crontab(minute=17),
    },
    # Imports previewed a day ago and never committed: accounts rows and matrix workbooks.
    "remove-expired-account-import-previews": {
        "task": "accounts.tasks.remove_expired_import_previews",
        "schedule": crontab(minute=41),
    },
    "remove-expired-matrix-previews": {
        "task": "reporting.tasks.remove_expired_matrix_previews",
        "schedule": crontab(minute=43),
    },
    # Hourly: reminders and digests for the people whose local time is 08.00 or later that
    # day and who have not had them yet (a missed beat is caught up the same day).
    "notices-morning-round": {
        "task": "notifications.tasks.morning_round",
        "schedule": crontab(minute=0),
    },
    # Retries whose backoff is over and rows a killed worker held, sent again.
    "notices-sweep-deliveries": {
        "task": "notifications.delivery.sweep_deliveries",
        "schedule": 60.0,
    },
}

# Piagam rendering: a certificate fails for good after this many attempts (shown for retry).
PIAGAM_MAX_ATTEMPTS = envint("PIAGAM_MAX_ATTEMPTS", "3")
PIAGAM_RETRY_DELAY_SECONDS = envint("PIAGAM_RETRY_DELAY_SECONDS", "10")  # times the attempt
# A worker records a heartbeat while it renders; silent this long, the sweep takes it back.
PIAGAM_HEARTBEAT_SECONDS = envint("PIAGAM_HEARTBEAT_SECONDS", "5")
PIAGAM_LOST_AFTER_SECONDS = envint("PIAGAM_LOST_AFTER_SECONDS", "30")
# A pending row never queued (the broker was down) is queued after this grace; one queued
# but not taken is queued again at most once per this interval (a message lost with Redis).
PIAGAM_ENQUEUE_GRACE_SECONDS = envint("PIAGAM_ENQUEUE_GRACE_SECONDS", "30")
PIAGAM_REQUEUE_AFTER_SECONDS = envint("PIAGAM_REQUEUE_AFTER_SECONDS", "300")
PIAGAM_ORPHAN_AGE_SECONDS = envint("PIAGAM_ORPHAN_AGE_SECONDS", "3600")

# Outbox: an entry queued but not started within this time is queued again by the sweep.
OUTBOX_REQUEUE_AFTER_SECONDS = envint("OUTBOX_REQUEUE_AFTER_SECONDS", "120")

# Piagam signing (PAdES): a PKCS#12 file and its passphrase; unset, PDFs are not signed.
PIAGAM_SIGNING_PKCS12 = os.environ.get("PIAGAM_SIGNING_PKCS12", "")
PIAGAM_SIGNING_PASSPHRASE = os.environ.get("PIAGAM_SIGNING_PASSPHRASE", "")
MINISTER_NAME = os.environ.get("MINISTER_NAME", "")
MINISTER_NIP = os.environ.get("MINISTER_NIP", "")

# Logs: one JSON object per line in production (LOG_FORMAT=json), readable text in
# development; every line has its time, level, logger and the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=os.environ.get("LOG_LEVEL", "INFO"))
# Server errors are mailed to ADMINS="Name <mail>,Other <mail>" (with DEBUG off) and, when
# SENTRY_DSN is set, also sent to a Sentry-compatible service.
ADMINS = parse_admins(os.environ.get("ADMINS", ""))
MANAGERS = ADMINS
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# Readiness (/sehat/siap/): each check gets this long; a worker must have answered recently.
HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT", "2"))
# Readiness answers internal addresses, and others that send this in X-Health-Token.
HEALTH_CHECK_TOKEN = os.environ.get("HEALTH_CHECK_TOKEN", "")
WORKER_HEARTBEAT_MAX_AGE = envint("WORKER_HEARTBEAT_MAX_AGE", "60")

# X-Forwarded-Proto is believed only from a reverse proxy the deployment declares: without
# one, any client could claim https.
if TRUSTED_PROXY_COUNT > 0 or TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(30 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0")
    # Preloading binds every subdomain of the ministry's domain: the domain owner decides.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"


# Open data (/hasil/) and the REST API (/api/v1/, DESIGN section 12).
OPEN_DATA_CONTACT_EMAIL = os.environ.get("OPEN_DATA_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PublicThrottle", "api.throttles.KeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "public": os.environ.get("API_PUBLIC_RATE", "120/minute"),
        "key": os.environ.get("API_KEY_RATE", "1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_details",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portal Aksi HAM API",
    "DESCRIPTION": (
        "Published RANHAM Aksi HAM results and reference data for everyone; report states, "
        "rates and scores for national systems with an API key (Authorization: Api-Key ...)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
        "api.schema.strings_without_nul",
    ],
}
