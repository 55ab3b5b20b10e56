"""Settings for the floor app: only what a form post through CSRF protection and a template need."""

import os
from pathlib import Path

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
ROOT_URLCONF = "bench.floor_app.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.csrf"]},
    }
]
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
USE_TZ = True
TIME_ZONE = "Europe/London"
CSRF_COOKIE_SECURE = False
LOG_FORMAT = "json"

# The project's form reads these (petitions.sign_form.token).
PETITION_FORM_MIN_SECONDS = 0
PETITION_FORM_MAX_AGE_SECONDS = 86_400

# The petition whose rows the floor inserts, with the ids the project would look up for it
# (bench/signing.py sets them; the page floor needs none).
FLOOR_PETITION_ID = int(os.environ.get("FLOOR_PETITION_ID", "0"))
FLOOR_CONTACT_WORDING_ID = int(os.environ.get("FLOOR_CONTACT_WORDING_ID", "0"))
FLOOR_SHOW_WORDING_ID = int(os.environ.get("FLOOR_SHOW_WORDING_ID", "0"))
FLOOR_PRIVACY_NOTICE_VERSION = os.environ.get("FLOOR_PRIVACY_NOTICE_VERSION", "")
# The signature INSERT, built from the model by bench/signature_sql.py (this app has no models).
FLOOR_INSERT_SIGNATURE = os.environ.get("FLOOR_INSERT_SIGNATURE", "")
