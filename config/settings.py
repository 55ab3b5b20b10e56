"""Settings for every environment, read from the environment (or a `.env` file).

Each setting is stated once, with the default that serves a local run with nothing
installed (SQLite, console email, local-memory cache). Production differs only where an
environment variable says so; `.env.example` documents each variable.

One file on purpose, past ~400 lines: every setting and its default in one place, as Django
expects, rather than split across modules a reader would have to merge in their head.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; production must bring its own.
_DEVELOPMENT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    sys.exit(
        "Refusing to start: SECRET_KEY is missing or too weak. With DEBUG off (production), set "
        "SECRET_KEY to a random string of at least 50 characters, for example the output of\n"
        "  python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
        "For a local run, set DEBUG=true instead."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "campaign",
    "petitions",
    "statistics",
    "core",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "core.middleware.RequestIdMiddleware",
    # Serves cached pages before the rest of the stack runs, with the headers the whole stack gave them
    # when stored (so security headers, CSP and X-Frame-Options stay) and the visitor's own CSRF token;
    # PageCacheRenderMiddleware below takes each page as rendered, for it to store.
    "core.page_cache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compresses HTML and JSON on the way out, after everything below has written the body: the page
    # cache stores pages uncompressed and puts each visitor's own CSRF and form tokens in before this
    # runs. Since Django 4.2 it pads its output at random, which defeats BREACH-style guessing of
    # those tokens. Already-compressed files (WhiteNoise's .gz and .br) pass through untouched.
    "django.middleware.gzip.GZipMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Before CSRF, which reads the body, and before the body's own check just below: it refuses, unread,
    # bodies that are not a small form where a view takes only those.
    "core.middleware.FormPostMiddleware",
    # Before anything that queries (sessions, axes, views): text PostgreSQL cannot store gets a 400.
    "core.storable_text.StorableTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After session, CSRF and messages, whose state decides whether a page may be stored, and inside
    # GZip: it takes the page uncompressed, with the visitor's tokens cut out.
    "core.page_cache.middleware.PageCacheRenderMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "core.password_throttle.PasswordThrottleMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (psycopg 3) in production and in the test suite.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that looks at the idle socket before it sends `SELECT 1`
    # (core/postgresql/base.py): a connection the server has closed is still replaced, and a quiet one
    # costs the request no round trip.
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` writes from two processes at once: the server (autosave, publishing) and the task
    # worker. WAL lets readers go on while one writes; IMMEDIATE transactions take the write lock when
    # they begin, so a writer waits its turn (up to `timeout` seconds) instead of failing with
    # "database is locked" when a read lock cannot be upgraded mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
        timeout=env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
    )

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://wildwestweb")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # With Redis down the site serves from the database instead of failing (core.cache_backend), and a
    # host that does not answer costs at most a second, not a hung request.
    CACHES["default"]["BACKEND"] = "core.cache_backend.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)
# Sessions in the database, read through the cache: a visitor with a session costs a cache read, not a
# query, and the page cache reads the session in its own round trip to serve them cached pages
# (PAGE_CACHE_PERSONAL_SESSION_KEYS).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, credentials and TLS flags, all from one URL.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds to wait on the mail server: one that stops answering fails the attempt (retried later)
# instead of holding a worker and the signature's row lock for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Wild West Web <campaign@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Slow work (mail) runs in a worker process: `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
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
# Let WhiteNoise serve straight from the apps' static folders in a local run, so
# `collectstatic` is only a production step.
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers ask for at the site's root (the favicon.ico every first visit requests).
WHITENOISE_ROOT = BASE_DIR / "core" / "root_files"

# Uploaded media go to S3-compatible object storage when a bucket is named, so that every app server
# sees the same files; otherwise to MEDIA_ROOT on local disk. Credentials come from the standard
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables (or the host's role), read by boto3 itself.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty (as in .env.example) means "not set": AWS itself, the bucket's region, no CDN.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            # Uploads never replace each other: a second "report.pdf" gets a new name.
            "file_overwrite": False,
            "default_acl": None,
            # Signed URLs unless a public custom domain (a CDN in front of the bucket) serves the files.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
        },
    }
# Delivery packs hold signers' names: they are kept apart from uploads, never under a public URL, and
# reach staff only through the admin's download view (petitions.delivery_pack.views), which checks the
# export permission and records each download. On local disk they live in PRIVATE_MEDIA_ROOT (outside
# MEDIA_ROOT, which a proxy may serve); with a bucket, under its own prefix, private, with no public URL.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES["delivery_packs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["delivery_packs"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": "/".join(
                filter(None, [env.str("AWS_LOCATION", default=""), "private/delivery-packs"])
            ),
            "default_acl": "private",
            "querystring_auth": True,
            "custom_domain": None,
        },
    }
# Where browsers load media from when it is not this site (the bucket's or CDN's origin, e.g.
# https://media.example.org); the Content Security Policy allows images from there.
MEDIA_ORIGIN = env.str("MEDIA_ORIGIN", default="")

# Upload and request size limits (bytes). The reverse proxy should refuse bodies above the largest.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.int("WAGTAILIMAGES_MAX_IMAGE_PIXELS", default=50_000_000)
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("WAGTAILDOCS_MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: on unless DEBUG (a local run) or an environment variable turns them off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# A load balancer probes /healthz over plain HTTP on the private network; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy (django-csp). Public pages: scripts and styles only from our own files,
# never inline, and no framing by other sites. CSP_FRAME_SRC lists the video sites embeds may show.
_CSP_FRAME_SRC = env.list(
    "CSP_FRAME_SRC",
    default=["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
)
_CSP_IMG_SRC = ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _CSP_IMG_SRC,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", *_CSP_FRAME_SRC],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": not DEBUG,
    }
}
# The Wagtail admin uses inline scripts and styles (and a templating library that compiles with
# `new Function`), and shows previews of the page in a frame of its own.
CONTENT_SECURITY_POLICY_ADMIN_PATHS = ["/admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": [*_CSP_IMG_SRC, "blob:"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'self'"],
    }
}
# Browser features no page of the site uses, switched off (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# The client's address (core.client_address): the number of reverse proxies in front of the app
# servers, each appending to X-Forwarded-For; 0 means clients connect directly (REMOTE_ADDR). Admin
# sign-in lock-outs, the sign-form rate limit and the password throttle all key on it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    sys.exit(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")
# Settings it replaced, which no longer do anything: stop rather than key on the proxy unnoticed.
_REPLACED_BY_TRUSTED_PROXY_COUNT = {
    "PETITION_CLIENT_IP_HEADER": "",
    "AXES_IPWARE_PROXY_COUNT": "",
    "AXES_IPWARE_META_PRECEDENCE_ORDER": "REMOTE_ADDR",
}
for _name, _harmless in _REPLACED_BY_TRUSTED_PROXY_COUNT.items():
    if env.str(_name, default=_harmless).strip() not in ("", _harmless):
        sys.exit(
            f"Refusing to start: {_name} is no longer used. Remove it and set TRUSTED_PROXY_COUNT to the "
            "number of reverse proxies in front of the site (0 for none, 1 for one nginx or load balancer, "
            "2 for a CDN or load balancer in front of nginx); see docs/deployment.md."
        )

# Admin login brute-force protection (django-axes), recorded in the database so that every app
# server counts the same failures. A username is locked out from one IP address after
# AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES; a successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Not verbose: no start-up banner on stdout (where command output goes too), and log lines name
# only the masked lock-out parameters.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"
# The client's address, as everything else that keys on it reads it (TRUSTED_PROXY_COUNT above).
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"

# Passwords on private pages and documents (core.password_throttle): after this many tries without
# success from one client for one restriction within the window, the next is refused (429) for the
# cool-off. Counted in the shared cache; while it cannot count, password forms are refused (503).
PRIVACY_PASSWORD_FAILURE_LIMIT = env.int("PRIVACY_PASSWORD_FAILURE_LIMIT", default=5)
PRIVACY_PASSWORD_WINDOW_MINUTES = env.int("PRIVACY_PASSWORD_WINDOW_MINUTES", default=15)
PRIVACY_PASSWORD_COOLOFF_MINUTES = env.int("PRIVACY_PASSWORD_COOLOFF_MINUTES", default=15)
# The views that check those passwords (URL names), each with the URL argument naming its restriction.
PRIVACY_PASSWORD_VIEWS = {
    "wagtailcore_authenticate_with_password": "page_view_restriction_id",
    "wagtaildocs_authenticate_with_password": "restriction_id",
}

# Anonymous whole-page cache (core.page_cache), in the shared cache. 0 switches it off, the
# default for a local run (and the tests) so that a change shows at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 300)
PAGE_CACHE_ALIAS = "default"
# How long an app server process serves a page it found fresh again from its own memory, without asking
# the shared cache (core.page_cache.local): a publish or import on another server shows on this one
# this much later. Seconds, fractions allowed; 0 has every view ask the shared cache.
PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=1.0)
# After a purge (a publish, say), how long a page's previous rendering may still be served to anonymous
# visitors while one request re-renders it; 0 has every view after a purge render. And how long one
# request's claim to re-render a page lasts: if its server dies, another renders after this.
PAGE_CACHE_STALE_SECONDS = env.int("PAGE_CACHE_STALE_SECONDS", default=30)
PAGE_CACHE_RENDER_CLAIM_SECONDS = env.int("PAGE_CACHE_RENDER_CLAIM_SECONDS", default=10)
# Parts of content pages kept for requests the whole-page cache cannot answer (a visitor with a
# session, an unknown query parameter): `{% cache_until_purge %}`, purged with the pages. Counts and a
# petition's open or closed state in them may be this old (plus PAGE_CACHE_SECONDS when a cached page
# is then rendered from them); count.js refreshes counts. Wagtail's site lookup and page routing are
# kept the same way (core.page_cache.routing). 0 switches both off.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=0 if DEBUG else 60)
# Query parameters that change a page (part of the cache key), and ones that never do (campaign
# tracking added by social sites and newsletters: dropped from the key). Any other parameter
# bypasses the cache. `source` (and `utm_source`) name the link a signer came by: left out of the key,
# the sign form's hidden field gets each request's code (petitions/apps.py, `fill_on_every_view`).
PAGE_CACHE_QUERY_PARAMETERS = env.list("PAGE_CACHE_QUERY_PARAMETERS", default=["page", "tag"])
PAGE_CACHE_IGNORED_QUERY_PARAMETERS = [
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "source",
    "utm_campaign",
    "utm_content",
    "utm_medium",
    "utm_source",
    "utm_term",
]
# Session keys that change what a public page shows: a visitor whose session holds one of these gets a
# page rendered for them (signed in: the editors' bar; a message waiting; a private page's password
# given). Other visitors with a session get the cached page. A public view or template that comes to
# read something else from the session must add its key here.
PAGE_CACHE_PERSONAL_SESSION_KEYS = [
    "_auth_user_id",
    "_messages",
    "passed_page_view_restrictions",
    "passed_collection_view_restrictions",
]
PAGE_CACHE_EXCLUDED_PATHS = ["/admin/", "/documents/", "/healthz", "/static/", "/media/"]

# Wagtail
WAGTAIL_SITE_NAME = "Wild West Web"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_MODERATION_ENABLED = True
# Editors' avatars are not fetched from Gravatar: no editor's email hash goes to a third party, and
# the admin's CSP stays on our own origin. The release check would call out too; upgrades are pinned.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Complex page models can exceed Django's default of 1,000 fields per form in the editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Petitions: abuse protection, confirmation mail, counts and personal data (see .env.example).
PETITION_SIGN_RATE_LIMIT = env.int("PETITION_SIGN_RATE_LIMIT", default=10)
PETITION_SIGN_RATE_WINDOW_SECONDS = env.int("PETITION_SIGN_RATE_WINDOW_SECONDS", default=600)
PETITION_FORM_MIN_SECONDS = env.int("PETITION_FORM_MIN_SECONDS", default=3)
PETITION_FORM_MAX_AGE_SECONDS = env.int("PETITION_FORM_MAX_AGE_SECONDS", default=86_400)
PETITION_CONFIRMATION_MAX_AGE_DAYS = env.int("PETITION_CONFIRMATION_MAX_AGE_DAYS", default=14)
# Days a link to a signer's own page (in every mail to them) works.
SIGNER_PAGE_MAX_AGE_DAYS = env.int("SIGNER_PAGE_MAX_AGE_DAYS", default=90)
PETITION_CONFIRMATION_RESEND_SECONDS = env.int("PETITION_CONFIRMATION_RESEND_SECONDS", default=300)
PETITION_MAIL_MAX_ATTEMPTS = env.int("PETITION_MAIL_MAX_ATTEMPTS", default=8)
PETITION_MAIL_RETRY_SECONDS = env.int("PETITION_MAIL_RETRY_SECONDS", default=60)
PETITION_MAIL_STUCK_SECONDS = env.int("PETITION_MAIL_STUCK_SECONDS", default=900)
# Mails queued while a delivery task waits share that task (petitions.tasks.request_delivery); the
# note that one waits lasts this long at most. It must be seen by every process, so it is off (0, a
# task for every mail) unless the cache is the shared Redis.
PETITION_MAIL_COALESCE_SECONDS = env.int(
    "PETITION_MAIL_COALESCE_SECONDS",
    default=5 if CACHES["default"]["BACKEND"] == "core.cache_backend.ResilientRedisCache" else 0,
)
# Partner sites (petitions.embeds): whether a partner's listed address may be plain http:// on this
# computer (localhost, 127.0.0.0/8, ::1), for local runs and tests; real partner sites are https://.
PETITION_EMBED_ALLOW_HTTP_LOOPBACK = env.bool("PETITION_EMBED_ALLOW_HTTP_LOOPBACK", default=DEBUG)
# Updates to signers (petitions.updates.sending): mails a second at most (0: no limit, as fast as the
# mail server takes them), mails per batch task, SMTP connections a batch sends over at once (1: one
# mail after another), and how long a sending run may be silent before the sweeper takes it to be dead
# and starts another.
UPDATE_MAIL_RATE_PER_SECOND = env.float("UPDATE_MAIL_RATE_PER_SECOND", default=0)
UPDATE_MAIL_BATCH_SIZE = env.int("UPDATE_MAIL_BATCH_SIZE", default=500)
UPDATE_MAIL_CONNECTIONS = env.int("UPDATE_MAIL_CONNECTIONS", default=3)
UPDATE_MAIL_STUCK_SECONDS = env.int("UPDATE_MAIL_STUCK_SECONDS", default=300)
PETITION_COUNT_CACHE_SECONDS = env.int("PETITION_COUNT_CACHE_SECONDS", default=5)
PETITION_COUNT_SHARDS = env.int("PETITION_COUNT_SHARDS", default=16)
# Where the mail goes when a petition reaches a milestone (100, 1,000, ... and its target); empty: none.
MILESTONE_NOTIFY_EMAIL = env.str("MILESTONE_NOTIFY_EMAIL", default="")
# How long the open-data history (history.csv/json, the chart) and the integrity report are kept in
# the shared cache and by browsers and CDNs.
PETITION_HISTORY_CACHE_SECONDS = env.int("PETITION_HISTORY_CACHE_SECONDS", default=300)
SIGNATURE_UNCONFIRMED_RETENTION_DAYS = env.int("SIGNATURE_UNCONFIRMED_RETENTION_DAYS", default=30)
PETITION_ANONYMISE_AFTER_DAYS = env.int("PETITION_ANONYMISE_AFTER_DAYS", default=90)
# The delivery pack's PDF (petitions.delivery_pack): a TrueType font for its text (empty: DejaVu Sans
# when the host has it, else ReportLab's own Bitstream Vera), and where the finished packs are kept.
DELIVERY_PACK_FONT = env.str("DELIVERY_PACK_FONT", default="")

# Webhooks for the campaign's CRM (petitions.webhooks; docs/petitions.md, "Webhooks for the CRM"). A
# delivery that fails is tried again after RETRY_SECONDS, doubling each time up to RETRY_MAX_SECONDS,
# MAX_ATTEMPTS times in all. Plain http:// addresses are refused except to this machine, and only when
# ALLOW_HTTP_LOOPBACK is on (the default with DEBUG, for a CRM tried out locally, and in the tests).
PETITION_WEBHOOK_MAX_ATTEMPTS = env.int("PETITION_WEBHOOK_MAX_ATTEMPTS", default=10)
PETITION_WEBHOOK_RETRY_SECONDS = env.int("PETITION_WEBHOOK_RETRY_SECONDS", default=30)
PETITION_WEBHOOK_RETRY_MAX_SECONDS = env.int("PETITION_WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600)
PETITION_WEBHOOK_TIMEOUT_SECONDS = env.int("PETITION_WEBHOOK_TIMEOUT_SECONDS", default=10)
PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK = env.bool("PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK", default=DEBUG)

# Logs: one line per record on stdout, JSON in production (LOG_FORMAT=json) or readable text
# (LOG_FORMAT=text, the default for a local run). Every line carries the request id and path (never
# the query string), and email addresses and postcodes are masked in every line (core.log).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json").lower()
if LOG_FORMAT not in ("json", "text"):
    sys.exit(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "core.log.RequestContextFilter"},
        "redact_personal_data": {"()": "core.log.RedactPersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "core.log.JsonFormatter"},
        "text": {"()": "core.log.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_context", "redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own handlers (console when DEBUG, mail to ADMINS with request details) are replaced:
    # its records go through the console handler above, redacted like everything else.
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}
