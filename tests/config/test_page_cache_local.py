"""Pages an app server process keeps in its memory (`core.page_cache.local`): served again without a
round trip to the shared cache, for PAGE_CACHE_LOCAL_SECONDS at most, never to a visitor with a session,
each view with its own CSRF token."""

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from core.page_cache import local
from core.page_cache.purge import content_generation

from .conftest import TOKEN_IN_FORM
from .test_page_cache import rename_without_signals, session_visitor, wsgi_get

pytestmark = pytest.mark.usefixtures("page_cache_on")


@pytest.fixture
def clock(monkeypatch):
    """The memory's clock, moved on by hand: `clock.now += seconds`."""

    class Clock:
        now = 1000.0

    monkeypatch.setattr(local.time, "monotonic", lambda: Clock.now)
    return Clock


def test_a_page_found_fresh_is_served_again_without_a_round_trip(public_page, counting_cache):
    Client().get("/")
    Client().get("/")
    counting_cache.round_trips.clear()

    response = Client().get("/")

    assert response["X-Page-Cache"] == "HIT"
    assert counting_cache.round_trips == []
    assert "Plumbing test home" in response.text


def test_the_gunicorn_application_serves_it_from_memory_too(public_page, counting_cache):
    from core.page_cache.wsgi import PageCacheWSGIHandler

    application = PageCacheWSGIHandler()
    Client().get("/")
    wsgi_get(application)
    counting_cache.round_trips.clear()

    status, headers, _, body = wsgi_get(application)

    assert status == "200 OK"
    assert headers["X-Page-Cache"] == "HIT"
    assert b"Plumbing test home" in body
    assert counting_cache.round_trips == []


def test_each_view_from_memory_has_its_own_working_csrf_token(public_page, pages_with_a_form):
    Client().get("/")
    Client().get("/")
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]

    responses = [visitor.get("/") for visitor in visitors]

    tokens = [TOKEN_IN_FORM.search(response.text).group(1) for response in responses]
    secrets = [visitor.cookies["csrftoken"].value for visitor in visitors]
    assert all(response["X-Page-Cache"] == "HIT" for response in responses)
    assert secrets[0] != secrets[1]
    assert [_unmask_cipher_token(token) for token in tokens] == secrets
    assert visitors[1].post("/", {"csrfmiddlewaretoken": tokens[1]}).status_code == 200


def test_a_view_from_memory_leaves_the_kept_headers_as_they_were(public_page, pages_with_a_form):
    Client().get("/")
    first = Client().get("/")

    second = Client().get("/", HTTP_ACCEPT_ENCODING="gzip")
    third = Client().get("/")

    # The gzip answer's headers (its encoding, its length) are its own, not the next visitor's.
    assert second["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in third
    assert int(third["Content-Length"]) == len(third.content)
    assert third["Vary"] == first["Vary"]


def test_a_purge_in_this_process_shows_at_once(public_page, django_capture_on_commit_callbacks):
    Client().get("/")
    Client().get("/")

    public_page.title = "Corrected title"
    with django_capture_on_commit_callbacks(execute=True):
        public_page.save_revision().publish()

    assert "Corrected title" in Client().get("/").text


def test_a_purge_on_another_server_shows_within_the_local_seconds(public_page, clock, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 1.0
    settings.PAGE_CACHE_STALE_SECONDS = 0
    Client().get("/")
    Client().get("/")
    # Another app server publishes: the shared generation moves on, this process's memory is not told.
    rename_without_signals(public_page, "Published elsewhere")
    content_generation().bump()

    clock.now += 0.9
    kept = Client().get("/")
    clock.now += 0.2
    after = Client().get("/")

    assert "Plumbing test home" in kept.text
    assert "Published elsewhere" in after.text


def test_a_session_that_changes_the_page_gets_its_own_rendering_while_the_page_is_kept(public_page):
    Client().get("/")
    Client().get("/")
    rename_without_signals(public_page, "Renamed home")

    response = session_visitor(_messages="[]").get("/")

    assert "X-Page-Cache" not in response
    assert "Renamed home" in response.text


def test_no_local_seconds_asks_the_shared_cache_every_view(public_page, counting_cache, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    Client().get("/")
    Client().get("/")
    counting_cache.round_trips.clear()

    Client().get("/")

    assert counting_cache.round_trips == ["get_many"]


def test_a_page_gone_from_the_site_is_forgotten_by_the_memory_too(
    public_page, settings, django_capture_on_commit_callbacks
):
    child = public_page.get_children().get()
    Client().get("/child/")
    assert Client().get("/child/")["X-Page-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        child.unpublish()

    assert Client().get("/child/").status_code == 404


def test_the_memory_keeps_a_bounded_number_of_pages(clock, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 1.0
    for n in range(local.MAX_PAGES + 5):
        local.keep(f"page-{n}", 1, {"n": n})

    kept = [n for n in range(local.MAX_PAGES + 5) if local.recall(f"page-{n}") is not None]

    assert 0 < len(kept) <= local.MAX_PAGES
    assert local.recall(f"page-{local.MAX_PAGES + 4}") == (1, {"n": local.MAX_PAGES + 4})
