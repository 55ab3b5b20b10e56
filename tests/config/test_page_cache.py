"""The anonymous page cache: what it serves from the cache, what it never caches, and purging."""

import os
import threading
from collections import Counter
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse
from freezegun import freeze_time
from wagtail import hooks
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from core.page_cache.middleware import page_key, render_claim_key
from core.page_cache.purge import content_generation, purge_pages
from core.page_cache.tokens import CSRF_PLACEHOLDER, _random_csrf_string

from .conftest import TOKEN_IN_FORM

# Django's own Redis backend at a port where nothing listens: every call raises.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# The project's backend there, as a Redis CACHE_URL selects it: it answers like an empty cache.
REDIS_DOWN = {
    "default": {**UNREACHABLE_REDIS["default"], "BACKEND": "core.cache_backend.ResilientRedisCache"}
}


pytestmark = pytest.mark.usefixtures("page_cache_on")


def rename_without_signals(page, title):
    """Change a page's title in the database as a silent data fix would, without Wagtail's signals."""
    Page.objects.filter(pk=page.pk).update(title=title)


def test_second_anonymous_view_is_served_from_the_cache_without_touching_the_database(
    client, public_page, django_assert_num_queries
):
    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")

    assert first["X-Page-Cache"] == "MISS"
    assert second["X-Page-Cache"] == "HIT"
    assert second.status_code == 200
    assert second.content == first.content
    assert "Plumbing test home" in second.text


def test_cached_pages_still_get_the_security_headers(client, public_page):
    client.get("/")
    response = client.get("/")

    assert response["X-Page-Cache"] == "HIT"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_purge_makes_every_page_render_afresh(client, public_page):
    client.get("/")
    client.get("/child/")
    rename_without_signals(public_page, "Renamed home")
    rename_without_signals(public_page.get_children().get(), "Renamed child")

    assert "Plumbing test home" in client.get("/").text
    purge_pages()

    home, child = client.get("/"), client.get("/child/")
    assert home["X-Page-Cache"] == "MISS"
    assert "Renamed home" in home.text
    assert "Renamed child" in child.text


def test_publishing_a_page_purges_the_cache(client, public_page, django_capture_on_commit_callbacks):
    client.get("/")
    public_page.title = "Published new title"
    with django_capture_on_commit_callbacks(execute=True):
        public_page.save_revision().publish()

    assert "Published new title" in client.get("/").text


def test_one_publish_purges_the_cache_once(public_page, django_capture_on_commit_callbacks):
    generation = content_generation()
    before = generation.current()

    public_page.title = "Published once"
    with django_capture_on_commit_callbacks(execute=True):
        public_page.save_revision().publish()

    assert generation.current() == before + 1


def test_a_cached_page_is_served_after_one_cache_round_trip(client, public_page, counting_cache):
    client.get("/")
    counting_cache.round_trips.clear()

    response = client.get("/")

    assert response["X-Page-Cache"] == "HIT"
    assert counting_cache.round_trips == ["get_many"], "the generation and the page together"


def test_unpublishing_a_page_purges_the_cache(client, public_page, django_capture_on_commit_callbacks):
    child = public_page.get_children().get()
    assert client.get("/child/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        child.unpublish()

    assert client.get("/child/").status_code == 404
    # The page rendered afresh is gone: its stale copy is not served to the next visitor either.
    assert client.get("/child/").status_code == 404


def test_moving_a_page_purges_the_cache(client, public_page, django_capture_on_commit_callbacks):
    other = public_page.add_child(instance=Page(title="Other section", slug="other"))
    child = public_page.get_children().get(slug="child")
    assert client.get("/child/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        child.move(other, pos="last-child")

    # Wagtail leaves a redirect at the old address; the cached page there must be gone.
    old_address = client.get("/child/")
    assert old_address.status_code == 301
    assert old_address["Location"].endswith("/other/child/")
    assert client.get("/other/child/").status_code == 200


def test_logged_in_editors_never_get_or_fill_cached_pages(client, public_page, superuser):
    client.force_login(superuser)
    client.get("/")
    rename_without_signals(public_page, "Renamed home")
    response = client.get("/")

    assert "X-Page-Cache" not in response
    assert "Renamed home" in response.text
    assert Client().get("/")["X-Page-Cache"] == "MISS"


def test_an_editors_preview_never_reaches_visitors(client, public_page, superuser):
    client.force_login(superuser)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[public_page.pk])
    form = {"title": "Draft title", "slug": public_page.slug, "comments": inline_formset([])}
    client.post(preview_url, nested_form_data(form))
    assert "Draft title" in client.get(preview_url).text

    visitor = Client().get("/")

    assert visitor["X-Page-Cache"] == "MISS"
    assert "Draft title" not in visitor.text


def test_visitors_with_pending_messages_bypass_the_cache(client, public_page):
    client.get("/")
    client.cookies["messages"] = "pending"

    assert "X-Page-Cache" not in client.get("/")


def test_post_admin_and_healthz_are_never_cached(client, public_page):
    client.post("/")
    assert "X-Page-Cache" not in client.post("/")
    client.get(reverse("wagtailadmin_login"))
    assert "X-Page-Cache" not in client.get(reverse("wagtailadmin_login"))
    client.get("/healthz")
    assert "X-Page-Cache" not in client.get("/healthz")


def test_unknown_query_parameters_bypass_the_cache_and_tracking_ones_are_ignored(client, public_page):
    client.get("/")

    assert "X-Page-Cache" not in client.get("/", {"q": "anything"})
    assert client.get("/", {"utm_source": "facebook", "fbclid": "abc"})["X-Page-Cache"] == "HIT"
    assert client.get("/", {"page": "2"})["X-Page-Cache"] == "MISS"
    assert client.get("/", {"page": "2"})["X-Page-Cache"] == "HIT"


def test_zero_seconds_switches_the_cache_off(client, public_page, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    rename_without_signals(public_page, "Renamed home")

    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert "Renamed home" in response.text


def test_each_visitor_of_a_cached_form_page_gets_their_own_working_csrf_token(public_page, pages_with_a_form):
    first_visitor = Client(enforce_csrf_checks=True)
    second_visitor = Client(enforce_csrf_checks=True)

    first = first_visitor.get("/")
    second = second_visitor.get("/")

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("MISS", "HIT")
    assert CSRF_PLACEHOLDER not in second.text
    second_token = TOKEN_IN_FORM.search(second.text).group(1)
    second_secret = second_visitor.cookies["csrftoken"].value
    assert second_secret != first_visitor.cookies["csrftoken"].value
    assert _unmask_cipher_token(second_token) == second_secret
    accepted = second_visitor.post("/", {"csrfmiddlewaretoken": second_token})
    assert accepted.status_code == 200


def test_a_returning_visitor_of_a_cached_page_keeps_their_csrf_secret_with_a_new_mask(
    public_page, pages_with_a_form
):
    Client().get("/")  # stores the page
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get("/")
    secret = visitor.cookies["csrftoken"].value
    second = visitor.get("/")

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("HIT", "HIT")
    tokens = [TOKEN_IN_FORM.search(response.text).group(1) for response in (first, second)]
    assert tokens[0] != tokens[1]
    assert [_unmask_cipher_token(token) for token in tokens] == [secret, secret]
    assert visitor.cookies["csrftoken"].value == secret
    assert visitor.post("/", {"csrfmiddlewaretoken": tokens[0]}).status_code == 200


def test_cached_pages_csrf_secrets_are_django_shaped_and_use_the_whole_alphabet():
    secrets = [_random_csrf_string() for _ in range(5000)]

    assert {len(secret) for secret in secrets} == {CSRF_SECRET_LENGTH}
    assert len(set(secrets)) == len(secrets)
    # 160,000 draws from 62 characters: each appears about 2,581 times (standard deviation 51). Bytes
    # folded onto the alphabet unevenly (every byte modulo 62) would give eight characters about 3,226.
    seen = Counter("".join(secrets))
    assert set(seen) == set(CSRF_ALLOWED_CHARS)
    assert min(seen.values()) > 2275 and max(seen.values()) < 2890


def test_a_token_from_someone_elses_page_is_refused(public_page, pages_with_a_form):
    first_visitor = Client(enforce_csrf_checks=True)
    second_visitor = Client(enforce_csrf_checks=True)
    first_token = TOKEN_IN_FORM.search(first_visitor.get("/").text).group(1)
    second_visitor.get("/")

    refused = second_visitor.post("/", {"csrfmiddlewaretoken": first_token})

    assert refused.status_code == 403


def test_pages_are_served_uncached_when_the_cache_is_down(client, public_page, settings, caplog):
    settings.CACHES = REDIS_DOWN

    response = client.get("/")
    purge_pages()

    assert response.status_code == 200
    assert "Plumbing test home" in response.text
    assert "X-Page-Cache" not in response
    assert "Cache unreachable (ConnectionError)" in caplog.text


# After a purge: the previous rendering, while one request renders the page afresh ------------------

# The test suite's Redis (tests/config/test_redis_cache.py), as the app servers share it.
SHARED_REDIS = {
    "default": {
        "BACKEND": "core.cache_backend.ResilientRedisCache",
        "LOCATION": os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13"),
    }
}


@pytest.fixture(params=["local memory", "Redis"])
def shared_cache(request, settings):
    """The cache the claim to render is taken in: Django's local memory, and a real Redis."""
    if request.param == "Redis":
        from tests.config.test_redis_cache import require_redis

        require_redis()
        settings.CACHES = SHARED_REDIS
    cache.clear()
    yield
    cache.clear()


def purged_after_an_edit(client, page):
    """The page cached, then changed and purged: its cached copy is stale."""
    assert client.get("/")["X-Page-Cache"] == "MISS"
    rename_without_signals(page, "Renamed home")
    purge_pages()


def while_rendering(visit):
    """A `before_serve_page` hook: the first page rendered waits for `visit()`, made from another thread.

    The thread is another app server's worker: it shares only the cache with the one rendering.
    """
    seen = []

    def other_worker():
        try:
            seen.append(visit())
        finally:
            # A connection of its own, if it opened one; outside the test's transaction.
            connections.close_all()

    def hook(page, request, serve_args, serve_kwargs):
        if not seen:
            visitor = threading.Thread(target=other_worker)
            visitor.start()
            visitor.join()

    return hooks.register_temporarily("before_serve_page", hook), seen


def test_after_a_purge_others_get_the_previous_page_while_one_visitor_renders_it(
    client, public_page, shared_cache
):
    purged_after_an_edit(client, public_page)

    rendering, seen_meanwhile = while_rendering(lambda: Client().get("/"))
    with rendering:
        first = client.get("/")
    after = Client().get("/")

    (meanwhile,) = seen_meanwhile
    assert (meanwhile["X-Page-Cache"], meanwhile.status_code) == ("STALE", 200)
    assert "Plumbing test home" in meanwhile.text
    assert first["X-Page-Cache"] == "MISS"
    assert "Renamed home" in first.text
    assert after["X-Page-Cache"] == "HIT"
    assert "Renamed home" in after.text


def test_a_stale_page_carries_the_visitors_own_working_csrf_token(client, public_page, pages_with_a_form):
    purged_after_an_edit(client, public_page)
    visitor = Client(enforce_csrf_checks=True)

    rendering, seen_meanwhile = while_rendering(lambda: visitor.get("/"))
    with rendering:
        client.get("/")

    (stale,) = seen_meanwhile
    assert stale["X-Page-Cache"] == "STALE"
    token = TOKEN_IN_FORM.search(stale.text).group(1)
    assert _unmask_cipher_token(token) == visitor.cookies["csrftoken"].value
    assert visitor.post("/", {"csrfmiddlewaretoken": token}).status_code == 200


def stale_with_a_dead_renderer(client, page):
    """Purged, and the claim to render the page taken by a server that died before it finished."""
    purged_after_an_edit(client, page)
    claim = render_claim_key(page_key(RequestFactory().get("/")))
    assert cache.add(claim, True, timeout=django_settings.PAGE_CACHE_RENDER_CLAIM_SECONDS)
    return claim


def test_visitors_with_a_session_editors_and_previews_never_get_the_stale_copy(
    client, public_page, superuser
):
    editor = Client()
    editor.force_login(superuser)
    part_way_through_a_form = Client()
    part_way_through_a_form.cookies["sessionid"] = "a-session-of-their-own"
    anonymous_session = session_visitor(part_way_through="a form")
    stale_with_a_dead_renderer(client, public_page)
    assert Client().get("/")["X-Page-Cache"] == "STALE"

    for visitor in (editor, part_way_through_a_form, anonymous_session):
        response = visitor.get("/")
        assert "X-Page-Cache" not in response
        assert "Renamed home" in response.text
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[public_page.pk])
    form = {"title": "Draft title", "slug": public_page.slug, "comments": inline_formset([])}
    editor.post(preview_url, nested_form_data(form))
    assert "Draft title" in editor.get(preview_url).text


def test_a_renderer_that_died_holds_up_the_page_only_until_its_claim_expires(client, public_page, settings):
    settings.PAGE_CACHE_RENDER_CLAIM_SECONDS = 10
    with freeze_time() as clock:
        claim = stale_with_a_dead_renderer(client, public_page)
        waiting = Client().get("/")
        clock.tick(settings.PAGE_CACHE_RENDER_CLAIM_SECONDS + 1)
        taken_over = Client().get("/")

    assert waiting["X-Page-Cache"] == "STALE"
    assert taken_over["X-Page-Cache"] == "MISS"
    assert "Renamed home" in taken_over.text
    assert cache.get(claim) is None, "released once rendered"


def test_a_stale_copy_is_served_for_the_stale_window_after_the_purge_at_most(client, public_page, settings):
    settings.PAGE_CACHE_STALE_SECONDS = 30
    settings.PAGE_CACHE_RENDER_CLAIM_SECONDS = 300
    with freeze_time() as clock:
        stale_with_a_dead_renderer(client, public_page)
        clock.tick(29)
        within = Client().get("/")
        clock.tick(2)
        beyond = Client().get("/")

    assert within["X-Page-Cache"] == "STALE"
    assert "Renamed home" in beyond.text
    assert beyond["X-Page-Cache"] == "MISS"


def test_no_stale_window_renders_every_view_after_a_purge(client, public_page, settings):
    settings.PAGE_CACHE_STALE_SECONDS = 0
    stale_with_a_dead_renderer(client, public_page)

    response = Client().get("/")

    assert response["X-Page-Cache"] == "MISS"
    assert "Renamed home" in response.text


def test_a_stale_page_is_served_after_three_cache_round_trips(client, public_page, counting_cache):
    stale_with_a_dead_renderer(client, public_page)
    counting_cache.round_trips.clear()

    response = Client().get("/")

    assert response["X-Page-Cache"] == "STALE"
    assert counting_cache.round_trips == ["get_many", "add", "get"], "page, claim, stale window"


# What a cached page keeps of the rendered one ------------------------------------------------------

# Made for each response, cached or not; Set-Cookie is not among a response's items.
PER_RESPONSE_HEADERS = {"X-Page-Cache", "X-Request-ID", "Content-Length"}


def page_headers(response):
    return {name: value for name, value in response.items() if name not in PER_RESPONSE_HEADERS}


def test_a_cached_page_has_every_header_the_rendered_page_had(public_page, pages_with_a_form):
    rendered = Client().get("/")
    cached = Client().get("/")

    assert (rendered["X-Page-Cache"], cached["X-Page-Cache"]) == ("MISS", "HIT")
    assert page_headers(cached) == page_headers(rendered)
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert header in page_headers(cached)
    assert "Cookie" in cached["Vary"]
    assert cached["Content-Length"] == str(len(cached.content))
    assert cached["X-Request-ID"] != rendered["X-Request-ID"]


def test_a_cached_pages_csrf_cookie_is_set_as_djangos_middleware_sets_it(
    public_page, pages_with_a_form, settings
):
    settings.CSRF_COOKIE_SECURE = True
    settings.CSRF_COOKIE_HTTPONLY = True
    settings.CSRF_COOKIE_AGE = 3600
    settings.CSRF_COOKIE_SAMESITE = "Strict"
    rendered = Client().get("/")
    cached = Client().get("/")

    assert cached["X-Page-Cache"] == "HIT"
    made, served = rendered.cookies["csrftoken"], cached.cookies["csrftoken"]
    assert served.value != made.value
    # Expires is the time plus the age: a second may pass between the two.
    assert {**served, "expires": None} == {**made, "expires": None}
    assert (served["max-age"], served["samesite"], served["secure"]) == (3600, "Strict", True)


def test_a_head_request_gets_the_cached_pages_headers_without_its_body(client, public_page):
    client.get("/")
    page = Client().get("/")
    head = Client().head("/")

    assert (page["X-Page-Cache"], head["X-Page-Cache"]) == ("HIT", "HIT")
    assert head.content == b""
    assert page_headers(head) == page_headers(page)
    assert head["Content-Length"] == page["Content-Length"]


def test_pages_stored_with_other_header_settings_are_not_served(client, public_page, settings):
    """An app server whose settings differ (a release rolling out) renders rather than serve old headers."""
    client.get("/")
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"

    response = Client().get("/")

    assert response["X-Page-Cache"] == "MISS"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert Client().get("/")["X-Frame-Options"] == "SAMEORIGIN"


# Visitors with a session -----------------------------------------------------------------------------


def session_store():
    return import_module(django_settings.SESSION_ENGINE).SessionStore


def session_visitor(**data):
    """A client with a session holding `data`, kept as the site keeps sessions (database and cache)."""
    session = session_store()()
    session.update(data)
    session.save()
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    return visitor


def test_a_visitor_with_an_anonymous_session_gets_the_cached_page_with_their_own_working_token(
    public_page, pages_with_a_form
):
    first_visitor = Client()
    first_visitor.get("/")
    visitor = session_visitor(part_way_through="a form")

    response = visitor.get("/")

    assert response["X-Page-Cache"] == "HIT"
    token = TOKEN_IN_FORM.search(response.text).group(1)
    assert visitor.cookies["csrftoken"].value != first_visitor.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == visitor.cookies["csrftoken"].value
    assert visitor.post("/", {"csrfmiddlewaretoken": token}).status_code == 200


def test_a_cached_page_for_a_visitor_with_a_session_is_one_cache_round_trip(public_page, counting_cache):
    Client().get("/")
    # An anonymous hit: this process now keeps the page in memory (core.page_cache.local), which a
    # visitor with a session is still not served from.
    Client().get("/")
    visitor = session_visitor(part_way_through="a form")
    counting_cache.round_trips.clear()

    response = visitor.get("/")

    assert response["X-Page-Cache"] == "HIT"
    assert counting_cache.round_trips == ["get_many"], "the generation, the page and the session together"


def test_a_visitor_with_a_session_never_fills_the_cache(public_page):
    visitor = session_visitor(part_way_through="a form")
    rendered = visitor.get("/")

    assert "X-Page-Cache" not in rendered
    assert Client().get("/")["X-Page-Cache"] == "MISS"


@pytest.mark.parametrize(
    "data",
    [{"_messages": "[]"}, {"passed_page_view_restrictions": [1]}],
    ids=["a message waiting", "a private page's password given"],
)
def test_visitors_whose_session_changes_the_page_get_their_own_rendering(public_page, data):
    Client().get("/")
    rename_without_signals(public_page, "Renamed home")

    response = session_visitor(**data).get("/")

    assert "X-Page-Cache" not in response
    assert "Renamed home" in response.text


PRIVATE_PAGE_PASSWORD = "open sesame"  # noqa: S105 - a test page's


def test_a_visitor_who_gave_a_private_pages_password_gets_the_page_not_the_cached_form(public_page):
    child = public_page.get_children().get()
    restriction = PageViewRestriction.objects.create(
        page=child, restriction_type=PageViewRestriction.PASSWORD, password=PRIVATE_PAGE_PASSWORD
    )
    visitor = Client()
    assert 'name="password"' in visitor.get("/child/").text
    # Wagtail sends the form with never-cache headers; the session's key keeps the page safe regardless.
    assert "X-Page-Cache" not in Client().get("/child/")

    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, child.pk])
    visitor.post(url, {"password": PRIVATE_PAGE_PASSWORD, "return_url": "/child/"})
    response = visitor.get("/child/")

    assert "X-Page-Cache" not in response
    assert 'name="password"' not in response.text
    assert "Plumbing test child" in response.text


def test_a_session_the_cache_lost_is_read_back_by_one_view_and_then_served_cached(public_page):
    Client().get("/")
    visitor = session_visitor(part_way_through="a form")
    key = visitor.cookies[django_settings.SESSION_COOKIE_NAME].value
    cache.delete(session_store().cache_key_prefix + key)

    assert "X-Page-Cache" not in visitor.get("/")
    assert visitor.get("/")["X-Page-Cache"] == "HIT"


def test_a_session_cookie_django_would_not_make_is_left_to_the_session_middleware(public_page):
    Client().get("/")
    visitor = Client()
    visitor.cookies[django_settings.SESSION_COOKIE_NAME] = "../" + "a" * 40

    response = visitor.get("/")

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_a_host_the_site_does_not_serve_is_refused_with_the_security_headers(public_page):
    Client().get("/")

    response = Client().get("/", HTTP_HOST="elsewhere.example")

    assert response.status_code == 400
    assert "X-Page-Cache" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


# Served before Django's handling (config.wsgi) -------------------------------------------------------


@pytest.fixture
def wsgi_application():
    """The application gunicorn runs."""
    from core.page_cache.wsgi import PageCacheWSGIHandler

    return PageCacheWSGIHandler()


def wsgi_get(application, **headers):
    """(status, {header: value} but Set-Cookie, [Set-Cookie values], body) of a GET of / by `application`.

    The test's database connection is left alone, as Django's test client does (its own requests
    connect the signal again).
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=headers)

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        chunks = application(RequestFactory().get("/", **headers).environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    cookies = [value for name, value in answer["headers"] if name == "Set-Cookie"]
    others = {name: value for name, value in answer["headers"] if name != "Set-Cookie"}
    return answer["status"], others, cookies, body


def test_the_wsgi_application_serves_a_fresh_page_as_the_middleware_would(
    public_page, pages_with_a_form, wsgi_application
):
    Client().get("/")
    through_the_middleware = Client().get("/")

    status, headers, cookies, body = wsgi_get(wsgi_application)

    assert (status, headers["X-Page-Cache"]) == ("200 OK", "HIT")
    assert {
        name: value for name, value in headers.items() if name not in PER_RESPONSE_HEADERS
    } == page_headers(through_the_middleware)
    assert headers["X-Request-ID"] and headers["Content-Length"] == str(len(body))
    # With the space Django's own handler leaves before each cookie.
    (cookie,) = [cookie.strip() for cookie in cookies]
    assert cookie.startswith("csrftoken=")
    secret = cookie.split(";")[0].split("=")[1]
    assert _unmask_cipher_token(TOKEN_IN_FORM.search(body.decode()).group(1)) == secret


def test_what_the_wsgi_application_cannot_serve_goes_to_django_without_a_second_lookup(
    public_page, wsgi_application, counting_cache
):
    Client().get("/")
    rename_without_signals(public_page, "Renamed home")
    editor_session = session_store()()
    editor_session.update({"_auth_user_id": "0"})
    editor_session.save()
    counting_cache.round_trips.clear()

    status, headers, _, body = wsgi_get(
        wsgi_application, HTTP_COOKIE=f"sessionid={editor_session.session_key}"
    )

    assert status == "200 OK"
    assert "X-Page-Cache" not in headers
    assert b"Renamed home" in body
    assert counting_cache.round_trips.count("get_many") == 1
