"""The one settings module. Every value that differs between the demo, CI and production comes from the
environment (or a `.env` file next to manage.py); the defaults are safe for a local demo only."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Production is switched on by DJANGO_PRODUCTION=1: DEBUG goes off, and SECRET_KEY and ALLOWED_HOSTS become
# mandatory (environ raises ImproperlyConfigured when they are missing) instead of taking demo defaults.
PRODUCTION = env.bool("DJANGO_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="demo-only-insecure-key-change-me-in-production-0123456789")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "simple_history",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "django_filters",
    "portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: it logs an idle user out and leaves them a message saying why.
    "portfolio.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it inspects the outcome of the authentication the middlewares above set up.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fundtracker.urls"
WSGI_APPLICATION = "fundtracker.wsgi.application"

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
]

# SQLite keeps `make run` free of services; tests and production set DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections halve the cost of a page under load; health checks drop a connection the server
# closed (a restart, a failover) before a request uses it. The demo's runserver keeps none.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Object rules of portfolio/roles.py: user.has_perm("portfolio.manage_fund", fund).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username+IP pair after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_HOURS.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind the README's TLS proxy every request arrives from the proxy's address: without this, five bad
# passwords from anyone would lock a real user out. TRUSTED_PROXY_COUNT is how many proxies of ours stand in
# front of gunicorn, each appending to X-Forwarded-For (0: no proxy; the header is then ignored).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "fundtracker.proxy.client_ip"

# Sessions: a signed-in user is logged out after SESSION_IDLE_MINUTES without a request, and every session
# ends after SESSION_MAX_HOURS whatever happens (portfolio/middleware.py).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ACTIVITY_RESOLUTION = 60
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=12) * 3600

# E-mail (password reset, notifications): printed to the console unless EMAIL_URL names a server, e.g.
# smtp+tls://user:password@smtp.example.kz:587 (django-environ's email URL).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="fundtracker <noreply@fundtracker.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=2) * 3600

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("kk", _("Kazakh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no date formats for Kazakh; ours write day, month, year (fundtracker/formats/kk).
FORMAT_MODULE_PATH = ["fundtracker.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Bootstrap and friends are installed by npm into node_modules (pinned by package-lock.json) and
# served from there; nothing third-party is copied into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Strict CSP: everything from our own origin, no inline scripts or styles anywhere.
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

REST_FRAMEWORK = {
    # Token first, so an anonymous request gets 401 with a WWW-Authenticate header rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "portfolio.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bodies are JSON only: one way to send an amount, and a schema with one content type per body.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # No OPTIONS description of the endpoints (405): the OpenAPI schema is the one description.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Documents the 400, 401 and 404 answers each operation can give, with their bodies.
    "DEFAULT_SCHEMA_CLASS": "portfolio.api.schema.AutoSchema",
    # A service's ValidationError (field-keyed, translated) becomes a 400 with the same keys.
    "EXCEPTION_HANDLER": "portfolio.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fundtracker API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_INCLUDE_SCHEMA": False,
    # The default hook (enums as components), then the links from each write's answer to the next step.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portfolio.api.schema.add_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReceiptSourceEnum": "portfolio.models.ledger.ReceiptSource",
        "StageEnum": "portfolio.models.projects.Stage",
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools log every step of every PDF statement at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Celery. With REDIS_URL unset (the demo), tasks run in-process so `make run` needs no broker; everywhere
# else they go through Redis to a worker. Tasks are idempotent, so late acks and redelivery are safe.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Redis redelivers an unacknowledged message after the visibility timeout: it must exceed the longest task
# (the hard limit above) and the longest countdown, or a slow task would run twice at once.
# The socket timeouts keep a save from hanging on an unreachable Redis: the after-commit enqueue is only the
# fast path, and the stale mark it leaves behind is queued again by the sweep.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="fundtracker")
# Every Redis key the app writes itself starts with this, so installations (or test runs) sharing one Redis
# never see each other's keys.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="fundtracker")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Seconds a change waits before its recompute runs, so that a burst of changes shares one recompute.
PROGRESS_RECOMPUTE_DELAY = env.int("PROGRESS_RECOMPUTE_DELAY", default=5)
# Seconds between sweeps of stale marks, and how old a mark must be before the sweep queues it again (a
# younger one is still the fast path's). The fault tests shorten both.
PROGRESS_SWEEP_INTERVAL = env.int("PROGRESS_SWEEP_INTERVAL", default=60)
PROGRESS_SWEEP_GRACE = env.int("PROGRESS_SWEEP_GRACE", default=60)
CELERY_BEAT_SCHEDULE = {
    "snapshot-every-fund-nightly": {
        "task": "portfolio.tasks.snapshot_all_funds",
        "schedule": crontab(hour=0, minute=30),
    },
    # Each fund's managers get the list of its overdue tranches before the working day starts.
    "overdue-tranche-digest-daily": {
        "task": "portfolio.tasks.send_overdue_tranche_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    "prune-capital-accounts-nightly": {
        "task": "portfolio.tasks.prune_capital_accounts",
        "schedule": crontab(hour=1, minute=30),
    },
    # Stale marks no recompute has cleared (Redis was down, a worker died): queued again within a minute.
    "sweep-stale-progress": {
        "task": "portfolio.tasks.sweep_stale_progress",
        "schedule": float(PROGRESS_SWEEP_INTERVAL),
    },
}
