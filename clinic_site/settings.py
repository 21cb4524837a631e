"""Settings for the clinic site: the one place that reads the environment.

Every variable is listed with its default in README.md ("Configuration"). Defaults are
safe for local use; with DEBUG off the site refuses to start without what production
needs, and the error names the variable.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from clinic_site.core.logging import stdout_json_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY environment variable is required when DEBUG is off. "
            "Set SECRET_KEY to a long random string (or DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address, for links in staff emails (which are sent outside a request).
# `make run` derives it from PORT; production refuses to start without an https one,
# since every invitation, reset and notification link would be dead.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").strip().rstrip("/")
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "SITE_URL must be the site's public https address when DEBUG is off, e.g. "
        f"SITE_URL=https://clinic.example (got {SITE_URL or 'nothing'!r}): links in "
        "staff emails are built from it."
    )

# Moving the admin away from /admin/ cuts the noise of drive-by login attempts.
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

INSTALLED_APPS = [
    # django.contrib.admin, with a site that requires a second factor on every page.
    "clinic_site.sitewide.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "markdownx",
    "simple_history",
    "clinic_site.core",
    "clinic_site.readership",
    "clinic_site.articles",
    "clinic_site.intake",
    "clinic_site.accounts",
    # The top layer, composing the others for staff and readers (docs/architecture.md).
    "clinic_site.sitewide",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files get Permissions-Policy and CORP as well.
    "clinic_site.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a form body: one that cannot be decoded gets a clear 400.
    "clinic_site.core.middleware.UnreadableBodyMiddleware",
    # Counts page views (no cookie, nothing about the reader) above the page cache, so
    # that pages answered from the cache are counted too (readership/counting.py).
    "clinic_site.readership.counting.ReadershipMiddleware",
    # Anonymous readers' cached pages are answered here, before sessions and the rest.
    "clinic_site.core.pagecache.PublicPageCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language comes from its address (/es/...), so the page cache above,
    # whose key holds the path, never mixes the two languages.
    "clinic_site.core.middleware.LanguageFromPathMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it reads the outcome of the authentication above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"

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
                "clinic_site.core.context_processors.clinic",
                "clinic_site.core.context_processors.languages",
                "clinic_site.sitewide.context_processors.site_links",
            ],
        },
    }
]

# --- The clinic (defaults are plainly fictional) ------------------------------------------

CLINIC_NAME = env_str("CLINIC_NAME", "Example Infusion Clinic")
CLINIC_ADDRESS = env_str("CLINIC_ADDRESS", "100 Example Street, Springfield, ST 00000")
CLINIC_PHONE = env_str("CLINIC_PHONE", "(555) 010-0123")
CLINIC_EMAIL = env_str("CLINIC_EMAIL", "hello@clinic.example")
CLINIC_HOURS = env_str("CLINIC_HOURS", "Monday to Friday, 9 am to 5 pm")
CLINIC_HOURS_ES = env_str("CLINIC_HOURS_ES", "de lunes a viernes, de 9 a. m. a 5 p. m.")

# Urgent help shown on every page. Another region changes these, and the Spanish wording
# below.
URGENT_HELP_TEXT = env_str(
    "URGENT_HELP_TEXT",
    "If you are thinking about suicide or are in crisis, call or text 988 "
    "(Suicide & Crisis Lifeline) at any time. In an emergency, call 911.",
)
URGENT_HELP_PHONE = env_str("URGENT_HELP_PHONE", "988")
EMERGENCY_PHONE = env_str("EMERGENCY_PHONE", "911")
# The number the banner's "Text" link goes to; empty where the crisis line takes no texts.
URGENT_HELP_TEXT_NUMBER = env_str("URGENT_HELP_TEXT_NUMBER", URGENT_HELP_PHONE)
# Shown on the article pages readers may open at their lowest (front matter crisis_note).
CRISIS_NOTE_TEXT = env_str(
    "CRISIS_NOTE_TEXT",
    "Ketamine is not an emergency treatment: if you are in crisis, call or text "
    f"{URGENT_HELP_PHONE}, or {EMERGENCY_PHONE} in an emergency.",
)

# The urgent help in Spanish. 988 answers in Spanish by phone (press this option after
# dialling) and by text (send this word to the text number); see 988lifeline.org's
# "What to expect".
URGENT_HELP_PHONE_OPTION_ES = env_str("URGENT_HELP_PHONE_OPTION_ES", "2")
URGENT_HELP_TEXT_KEYWORD_ES = env_str("URGENT_HELP_TEXT_KEYWORD_ES", "AYUDA")
URGENT_HELP_TEXT_ES = env_str(
    "URGENT_HELP_TEXT_ES",
    "Si está pensando en el suicidio o está pasando por una crisis, llame al "
    f"{URGENT_HELP_PHONE} y marque el {URGENT_HELP_PHONE_OPTION_ES} para hablar en español, "
    f"o envíe la palabra {URGENT_HELP_TEXT_KEYWORD_ES} por mensaje de texto al "
    f"{URGENT_HELP_TEXT_NUMBER or URGENT_HELP_PHONE} (Línea 988 de Prevención del Suicidio y "
    f"Crisis), a cualquier hora. En una emergencia, llame al {EMERGENCY_PHONE}.",
)
CRISIS_NOTE_TEXT_ES = env_str(
    "CRISIS_NOTE_TEXT_ES",
    "La ketamina no es un tratamiento de emergencia: si está en crisis, llame al "
    f"{URGENT_HELP_PHONE} (marque el {URGENT_HELP_PHONE_OPTION_ES} para español) o envíe "
    f"{URGENT_HELP_TEXT_KEYWORD_ES} al {URGENT_HELP_TEXT_NUMBER or URGENT_HELP_PHONE}; en una "
    f"emergencia, llame al {EMERGENCY_PHONE}.",
)

# "When to get help" on every page about the treatment: the warning signs that need the
# emergency number now, and those that need a call to the clinic. Another region or a
# clinic with its own advice changes them here (and the Spanish pair below).
WHEN_TO_GET_HELP_EMERGENCY = env_str(
    "WHEN_TO_GET_HELP_EMERGENCY",
    f"Call {EMERGENCY_PHONE} now if you have chest pain, a sudden severe headache, trouble "
    "breathing, fainting or a seizure.",
)
WHEN_TO_GET_HELP_CLINIC = env_str(
    "WHEN_TO_GET_HELP_CLINIC",
    "Call the clinic if you have yellow skin or eyes, dark urine, pain or blood when passing "
    "urine, or strange feelings that last for days.",
)
WHEN_TO_GET_HELP_EMERGENCY_ES = env_str(
    "WHEN_TO_GET_HELP_EMERGENCY_ES",
    f"Llame al {EMERGENCY_PHONE} ahora si tiene dolor en el pecho, un dolor de cabeza fuerte "
    "y repentino, dificultad para respirar, un desmayo o una convulsión.",
)
WHEN_TO_GET_HELP_CLINIC_ES = env_str(
    "WHEN_TO_GET_HELP_CLINIC_ES",
    "Llame a la clínica si tiene la piel o los ojos amarillos, la orina oscura, dolor o sangre "
    "al orinar, o sensaciones extrañas que duran días.",
)

# The clinic's own prices, in plain words ("One infusion: $450. ..."), shown in a box on
# the cost article (its English slug below, and its translations). Empty, the default:
# the page shows no figures and tells readers to ask; a figure is never made up.
CLINIC_FEES = env_str("CLINIC_FEES", "")
CLINIC_FEES_ES = env_str("CLINIC_FEES_ES", "")
CLINIC_FEES_PAGE = env_str("CLINIC_FEES_PAGE", "cost-and-insurance")

# --- Database ---------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections (each worker keeps one; SQLite too, which saves the
        # connection set-up and PRAGMAs per request); health checks drop a dead one.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write contact requests at once: WAL lets readers go on
    # while one writes, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlock),
    # and the timeout makes a second writer wait instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches, sessions, tasks -------------------------------------------------------------


def redis_cache(url: str, key_prefix: str = "clinic") -> dict:
    """The cache every worker and host shares (the tests build theirs from this too)."""
    from clinic_site.core.circuit_breaker import SOCKET_TIMEOUT_SECONDS

    return {
        # Behind a circuit breaker (core/circuit_breaker.py): a Redis that is down or frozen costs
        # one short timeout per process every few seconds, and the site carries on
        # without it (sessions from the database, rate limits counted
        # per process).
        "BACKEND": "clinic_site.core.circuit_breaker.CircuitBreakerRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": SOCKET_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": SOCKET_TIMEOUT_SECONDS,
        },
    }


REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    # Sessions read from Redis, written through to the database: shared by every host.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Per process: each gunicorn worker counts rate limits on its own. Set REDIS_URL
    # in production (docs/deployment.md).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public pages are cached for anonymous readers in each process (core/pagecache.py).
# Every process checks the shared content version at most this often, so a change
# made anywhere shows everywhere within that time.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_CHECK_SECONDS = env_int("PAGE_CACHE_CHECK_SECONDS", 1)
PAGE_CACHE_MAX_ENTRIES = env_int("PAGE_CACHE_MAX_ENTRIES", 256)

# /monitor (core/monitoring.py): callers sending "Authorization: Bearer <MONITOR_TOKEN>"
# (or calling on the host itself) learn which checks fail; anyone else, up or down.
# Empty: only the host itself. Each process runs the checks at most once per
# MONITOR_CACHE_SECONDS, however often it is called.
MONITOR_TOKEN = env_str("MONITOR_TOKEN")
MONITOR_CACHE_SECONDS = env_int("MONITOR_CACHE_SECONDS", 10)

# Readership figures (readership/): page views counted in each process's memory and
# added to the database every READERSHIP_FLUSH_SECONDS (0: only at exit), kept for
# READERSHIP_KEEP_DAYS; READERSHIP_COUNTING=0 counts nothing.
READERSHIP_COUNTING = env_bool("READERSHIP_COUNTING", True)
READERSHIP_FLUSH_SECONDS = env_int("READERSHIP_FLUSH_SECONDS", 5)
READERSHIP_KEEP_DAYS = env_int("READERSHIP_KEEP_DAYS", 730)

# Notification emails go through a database-backed queue (`manage.py task_worker`), so a
# failed send is retried and never costs the contact request itself.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Auth -------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# django-axes: lock a username *from one address* after repeated failures, so an
# attacker elsewhere cannot lock staff out; the lock lifts after the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# The lock lasts the cool-off from the attempt that set it, however often it is retried.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address through the proxy (see core/net.py), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "clinic_site.core.net.client_ip"
AXES_ALLOWED_CORS_ORIGINS = SITE_URL
# Keep only what the lockout needs (accounts/lockout.py), and not for long: no record
# of successful logins (login_audit logs those), no user agent, no typed form fields,
# a hash for usernames that name no account, and nothing older than this many days.
AXES_HANDLER = "clinic_site.accounts.lockout.MinimalRecordsHandler"
AXES_USERNAME_CALLABLE = "clinic_site.accounts.lockout.lockout_username"
AXES_DISABLE_ACCESS_LOG = True
AXES_RECORD_DAYS = env_int("AXES_RECORD_DAYS", 30)

# Staff sessions end after this much inactivity (every request renews them).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = CLINIC_NAME

# --- Security ---------------------------------------------------------------------------

# Behind the TLS-terminating proxy of the documented deployment, trust its
# X-Forwarded-Proto so redirects, secure cookies and HSTS see the real scheme.
# The app listens on 127.0.0.1 only, so nothing but that proxy can set the header.
TRUST_X_FORWARDED_PROTO = env_bool("TRUST_X_FORWARDED_PROTO", not DEBUG)
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
# How many proxies append to X-Forwarded-For in front of the app: the client's address
# (for login lockout and rate limits) is that many entries from the right.
PROXY_COUNT = env_int("PROXY_COUNT", 1 if TRUST_X_FORWARDED_PROTO else 0)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0 if DEBUG else 63072000)  # two years
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
# The preload flag by itself changes nothing; it only allows the registrable domain
# to be submitted to the browsers' preload list, which is a separate, deliberate step.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# The site's 403 page (the clinic's phone, urgent help, the page's language).
CSRF_FAILURE_VIEW = "clinic_site.core.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # __Host- cookies are bound to this exact host over HTTPS, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# /.well-known/security.txt
SECURITY_CONTACT = env_str("SECURITY_CONTACT", "mailto:security@clinic.example")
SECURITY_TXT_EXPIRES = env_str("SECURITY_TXT_EXPIRES", "2027-11-01T00:00:00Z")

# Bodies larger than this are refused before a view sees them (contact form included).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads (and the SQLite database, core/apps.py) are readable by the site's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Content-Security-Policy (django-csp 4): nothing from other origins, no inline script
# or style, and nothing at all of a kind not listed. The admin and the markdownx editor
# work under it too (their scripts are files; markdownx's preview is a <div>, and its
# requests go to our own /editor/ endpoints).
CSP_SELF = "'self'"
# Where uploaded images come from when they live in object storage (MEDIA_STORAGE=s3).
MEDIA_ORIGIN = env_str("MEDIA_ORIGIN").rstrip("/")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "manifest-src": [CSP_SELF],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": [CSP_SELF],
        "frame-ancestors": ["'none'"],
    }
}

# The site uses none of these browser features; nothing embedded may either.
PERMISSIONS_POLICY = (
    "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "static/"
# collectstatic writes here and nginx serves it (deploy/nginx/clinic.conf).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# WhiteNoise serves hashed names (which change with their content) with a ten-year,
# immutable Cache-Control by itself; unhashed names keep its short default so a deploy
# is seen at once.

# Uploaded images: on this host's disk (served by core.views.media_file, or by the
# proxy), or in S3-compatible object storage so that every app host sees every upload.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    try:
        import storages  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs django-storages: pip install -e '.[s3]'."
        ) from None
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3).
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,  # article images are public
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}.")
# Serve MEDIA_ROOT from the app (images only; see core.views.media_file). Turn off when
# the proxy serves /media/ itself.
SERVE_MEDIA = env_bool("SERVE_MEDIA", MEDIA_STORAGE == "local")

# --- Email and notifications ------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "website@clinic.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CONTACT_NOTIFY_EMAILS = env_list("CONTACT_NOTIFY_EMAILS", "frontdesk@clinic.example")

# --- Contact requests, readers' feedback, the front desk ---------------------------------

CONTACT_RATE_LIMIT = env_int("CONTACT_RATE_LIMIT", 5)  # submissions per client ...
CONTACT_RATE_WINDOW_SECONDS = env_int("CONTACT_RATE_WINDOW_SECONDS", 3600)  # ... per window
# Beyond CONTACT_RATE_LIMIT a request is stored and held ("many requests from one
# network": a waiting room's tablet, hospital Wi-Fi); beyond this many it is refused (429)
# and counted on the dashboard. 0: never refused.
CONTACT_FLOOD_LIMIT = env_int("CONTACT_FLOOD_LIMIT", 30)
CONTACT_RETENTION_DAYS = env_int("CONTACT_RETENTION_DAYS", 180)
# The signed cookie that tells the thank-you page which request was just sent lasts this
# long (the privacy notice says so).
CONTACT_RECEIPT_MINUTES = env_int("CONTACT_RECEIPT_MINUTES", 10)
FEEDBACK_RATE_LIMIT = env_int("FEEDBACK_RATE_LIMIT", 10)  # answers per client ...
FEEDBACK_RATE_WINDOW_SECONDS = env_int("FEEDBACK_RATE_WINDOW_SECONDS", 3600)  # ... per window

# A request still New this many hours after it arrived is "Overdue" in the staff queue,
# counted in the opening hours below ("mon-fri 09:00-17:00"; empty: clock hours).
CONTACT_FIRST_RESPONSE_HOURS = env_int("CONTACT_FIRST_RESPONSE_HOURS", 8)
CLINIC_OPENING_HOURS = env_str("CLINIC_OPENING_HOURS", "mon-fri 09:00-17:00")
# After a try that did not reach the person ("Tried, no answer"), the next try is due
# this many opening hours later (an hour for an urgent request).
CONTACT_RETRY_HOURS = env_int("CONTACT_RETRY_HOURS", 4)
if CLINIC_OPENING_HOURS.strip() and not re.match(
    r"^\s*[a-z]{3}(\s*[-,]\s*[a-z]{3})*\s+\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*$",
    CLINIC_OPENING_HOURS.lower(),
):
    raise ImproperlyConfigured(
        f"CLINIC_OPENING_HOURS must look like 'mon-fri 09:00-17:00', not {CLINIC_OPENING_HOURS!r}."
    )
# Urgent requests: a first response within this many minutes, in real time (not opening
# hours). Nobody has assigned or contacted one after URGENT_ESCALATION_MINUTES: a
# second email goes to URGENT_ESCALATION_EMAILS (empty: every active front-desk user
# with an email address), and again every URGENT_ESCALATION_MINUTES until someone acts.
URGENT_FIRST_RESPONSE_MINUTES = env_int("URGENT_FIRST_RESPONSE_MINUTES", 30)
URGENT_ESCALATION_MINUTES = env_int("URGENT_ESCALATION_MINUTES", 15)
URGENT_ESCALATION_EMAILS = env_list("URGENT_ESCALATION_EMAILS", "")
for _name in ("URGENT_FIRST_RESPONSE_MINUTES", "URGENT_ESCALATION_MINUTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number of minutes, 1 or more.")
# Open staff pages ask this often whether a new urgent request has arrived.
STAFF_POLL_SECONDS = env_int("STAFF_POLL_SECONDS", 20)
# The box at the top of an urgent request: what staff do now, and whom they call.
URGENT_PROCEDURE_TEXT = env_str(
    "URGENT_PROCEDURE_TEXT",
    "Call the person now, on the number they gave. If they may be in immediate danger, "
    "or you cannot reach them and are worried, call emergency services. Then tell the "
    "clinician on duty, and add a note here saying what you did.",
)
# "Label: number" pairs, comma-separated.
URGENT_PROCEDURE_PHONES = env_list(
    "URGENT_PROCEDURE_PHONES",
    f"Emergency services: {EMERGENCY_PHONE},"
    f"Suicide & Crisis Lifeline: {URGENT_HELP_PHONE},"
    f"Clinic: {CLINIC_PHONE}",
)

# The same box for a request sent from the Spanish form or asking for Spanish: staff
# screens stay English, the call may need Spanish.
URGENT_PROCEDURE_TEXT_ES = env_str(
    "URGENT_PROCEDURE_TEXT_ES",
    "Written in Spanish or asking for Spanish. Call now; if you do not speak Spanish, "
    "find a Spanish-speaking colleague at once (never wait if they may be in danger). "
    f"{URGENT_HELP_PHONE} answers in Spanish: call {URGENT_HELP_PHONE} and press "
    f"{URGENT_HELP_PHONE_OPTION_ES}, or text {URGENT_HELP_TEXT_KEYWORD_ES}. "
    f"{EMERGENCY_PHONE}: ask for a Spanish interpreter. Then tell the clinician on duty "
    "and add a note here.",
)
URGENT_PROCEDURE_PHONES_ES = env_list(
    "URGENT_PROCEDURE_PHONES_ES",
    f"Emergency services (ask for Spanish): {EMERGENCY_PHONE},"
    f"Suicide & Crisis Lifeline in Spanish (press {URGENT_HELP_PHONE_OPTION_ES} after dialling): "
    f"{URGENT_HELP_PHONE},"
    f"Clinic: {CLINIC_PHONE}",
)

# Staff screens write every date one way ("30 Nov 2026, 14:05"; core/formats/en/formats.py).
FORMAT_MODULE_PATH = ["clinic_site.core.formats"]

# --- Editors ----------------------------------------------------------------------------

MARKDOWNX_MARKDOWNIFY_FUNCTION = "clinic_site.articles.markup.render_markdown"
MARKDOWNX_URLS_PATH = "/editor/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/upload/"
MARKDOWNX_SERVER_CALL_LATENCY = 800
# The text area keeps a fixed height beside its preview instead of growing past it.
MARKDOWNX_EDITOR_RESIZABLE = False
ARTICLE_IMAGE_MAX_BYTES = env_int("ARTICLE_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
ARTICLE_IMAGE_MAX_PIXELS = env_int("ARTICLE_IMAGE_MAX_PIXELS", 24_000_000)
READABILITY_TARGET_GRADE = 8
AVOID_WORDS = env_list(
    "AVOID_WORDS",
    "cure,cures,cured,guaranteed,guarantee,instant,instantly,miracle,breakthrough,"
    "revolutionary,proven,100%,risk-free,best,most reliable,outperform,outperforms",
)
# Spanish pages: Fernández-Huerta reading ease of at least this ("normal (para adulto)",
# school grades 7-8, the counterpart of the English target), and their own word list.
READABILITY_TARGET_EASE_ES = 60
AVOID_WORDS_ES = env_list(
    "AVOID_WORDS_ES",
    "cura,curas,curar,cura garantizada,garantizado,garantizada,garantizados,garantía,"
    "instantáneo,instantánea,instantáneamente,milagro,milagroso,milagrosa,"
    "revolucionario,revolucionaria,probado,comprobado,100%,sin riesgo,sin riesgos,"
    "el mejor,la mejor,los mejores,las mejores,más fiable,supera",
)

# History entries say what happened in words, and a reviewer's "Changes requested by …:
# <comment>" is as long as the comment: no 100-character limit on them.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# A clinical reviewer's sign-off is due again this many months later.
CLINICAL_REVIEW_INTERVAL_MONTHS = env_int("CLINICAL_REVIEW_INTERVAL_MONTHS", 12)

# --- Language and time ------------------------------------------------------------------

# English pages keep their unprefixed addresses; Spanish pages live under /es/ (urls.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Logging: one structured line per event on stdout, never personal data -------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = stdout_json_config(
    level=LOG_LEVEL,
    loggers={
        # Django's request logger repeats the request line and, on errors, can carry
        # request data; gunicorn's access log (gunicorn.conf.py) records every request,
        # without its query string.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # django-axes writes client addresses into its messages; login attempts are
        # logged by clinic_site.accounts.login_audit instead.
        "axes": {"level": "ERROR"},
    },
)
