"""Security headers on public pages and in the Wagtail admin, and the admin's page preview."""

import secrets

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from tests.config.test_statistics_module_name import run_in_project


def csp_directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_public_page_allows_no_inline_script_or_style_and_no_framing(client, public_page):
    response = client.get("/")

    assert response.status_code == 200
    policy = csp_directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_admin_gets_its_looser_policy_and_may_frame_itself(client, db):
    response = client.get(reverse("wagtailadmin_login"))

    assert response.status_code == 200
    policy = csp_directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_each_kind_of_path_keeps_its_own_policy_when_one_server_answers_both_in_turn(
    client, public_page, settings
):
    # The header's text is built once per kind of path and reused: public, admin, public again.
    public_before = csp_directives(client.get("/"))
    admin = csp_directives(client.get(reverse("wagtailadmin_login")))
    public_after = csp_directives(client.get("/"))
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "img-src": ["'self'", "media.example"],
        }
    }
    changed = csp_directives(client.get("/"))

    assert public_before == public_after
    assert public_after["frame-ancestors"] == ["'none'"]
    assert admin["frame-ancestors"] == ["'self'"]
    assert changed["img-src"] == ["'self'", "media.example"]


def test_editor_preview_of_a_page_can_be_framed_by_the_admin(client, public_page, superuser):
    client.force_login(superuser)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[public_page.pk])
    form = nested_form_data(
        {
            "title": "Previewed title",
            "slug": public_page.slug,
            "comments": inline_formset([]),
        }
    )

    stored = client.post(preview_url, form)
    assert stored.json() == {"is_valid": True, "is_available": True}
    response = client.get(preview_url, {"in_preview_panel": "true"})

    assert response.status_code == 200
    assert "Previewed title" in response.text
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert csp_directives(response)["frame-ancestors"] == ["'self'"]


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "campaign.example.org",
}

# Runs with production settings: an HTTPS request for the admin sign-in page through the real
# middleware, printing the headers and cookies that a browser would receive. Static files are
# looked up without the manifest that `collectstatic` writes in a real deployment.
PRODUCTION_RESPONSE_SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
setup_test_environment()
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
host = {"host": "campaign.example.org"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
    plain_http = Client().get("/admin/login/", headers=host)
    health_over_plain_http = Client().get("/healthz", headers=host)
    response = Client().get("/admin/login/", secure=True, headers=host)
print(plain_http.status_code, plain_http["Location"], health_over_plain_http.status_code)
cookie = response.cookies["csrftoken"]
print(response.status_code)
print(response["Strict-Transport-Security"])
print(cookie["secure"], cookie["samesite"], cookie["httponly"] or "-")
print(response["Content-Security-Policy"])
"""


def test_production_sends_hsts_and_only_secure_same_site_cookies(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    migrated = run_in_project("manage.py", "migrate", "--noinput", env_overrides=env)
    assert migrated.returncode == 0, migrated.stderr

    result = run_in_project("-c", PRODUCTION_RESPONSE_SCRIPT, env_overrides=env)

    assert result.returncode == 0, result.stderr
    redirects, status, hsts, cookie_flags, policy = result.stdout.strip().splitlines()[-5:]
    # Plain HTTP is sent to HTTPS, except the load balancer's health check.
    assert redirects.split() == ["301", "https://campaign.example.org/admin/login/", "200"]
    assert status == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert cookie_flags.split() == ["True", "Lax", "-"]
    assert "upgrade-insecure-requests" in policy


def test_production_session_cookie_is_secure_http_only_and_same_site():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,"
        " settings.SESSION_COOKIE_SAMESITE)"
    )
    result = run_in_project(
        "-c", script, env_overrides={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings"}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "Lax"]
