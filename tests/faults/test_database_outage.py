"""PostgreSQL going away while people sign (a restart, a failover, a network cut) and coming back.

The shared PostgreSQL server is never restarted: the site reaches it through a TCP proxy in this test,
and cutting the proxy is, to the site, the database going away (see docs/deployment.md).
"""

import threading
import time
from dataclasses import dataclass

import pytest
import requests
from django.db import connection

from petitions.models import Signature

from .services import Signer, TcpProxy, database_url, gunicorn, service_env, signing_paths

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOAD_CLIENTS = 6


@dataclass
class Attempt:
    email: str
    started: str
    finished: str
    status: int
    retry_after: str
    body: str


class Phases:
    """Which part of the run it is: before the outage, during it, or after the database came back."""

    def __init__(self):
        self.now = "before"


def sign_until_stopped(signer, client, phases, stop, attempts):
    n = 0
    while not stop.is_set():
        email = f"load{client}-{n}@example.org"
        started = phases.now
        try:
            response = signer.sign(email)
            status, retry_after = response.status_code, response.headers.get("Retry-After", "")
            body = response.text if status != 302 else ""
        except requests.RequestException as error:
            # No answer at all (status 0) fails the test below, as it would fail a visitor.
            status, retry_after, body = 0, "", repr(error)
        attempts.append(Attempt(email, started, phases.now, status, retry_after, body))
        n += 1


def test_database_outage_while_signing_gives_a_clear_503_keeps_every_success_and_recovers(petition, tmp_path):
    database = connection.settings_dict
    proxy = TcpProxy(int(database["PORT"] or 5432), upstream_host=database["HOST"] or "127.0.0.1")
    paths = signing_paths(petition)
    proxy.start()
    phases, stop, attempts = Phases(), threading.Event(), []
    threads = []
    try:
        env = service_env(DATABASE_URL=database_url(port=proxy.port))
        with gunicorn(env, tmp_path / "gunicorn.log") as base_url:
            signers = [Signer(base_url, paths).open_form() for _client in range(LOAD_CLIENTS)]
            threads = [
                threading.Thread(target=sign_until_stopped, args=(signer, client, phases, stop, attempts))
                for client, signer in enumerate(signers)
            ]
            for thread in threads:
                thread.start()
            time.sleep(2)
            proxy.cut()
            phases.now = "outage"
            time.sleep(3)
            proxy.restore()
            phases.now = "after"
            time.sleep(3)
            stop.set()
            for thread in threads:
                thread.join(timeout=35)
    finally:
        stop.set()
        proxy.stop()

    assert not any(thread.is_alive() for thread in threads)
    assert {attempt.status for attempt in attempts} <= {302, 503}
    during = [a for a in attempts if a.started == a.finished == "outage"]
    assert during, "no request was made while the database was away"
    assert {a.status for a in during} == {503}

    for failed in (a for a in attempts if a.status == 503):
        assert "We're having trouble right now" in failed.body
        assert "Traceback" not in failed.body
        assert failed.retry_after == "30"

    succeeded = {a.email for a in attempts if a.status == 302}
    kept = set(Signature.objects.filter(email__in=succeeded).values_list("email", flat=True))
    assert kept == succeeded

    # Back by itself: nothing restarted the site, and everything asked after the restore worked.
    after = [a for a in attempts if a.started == "after"]
    assert after
    assert {a.status for a in after} == {302}
    assert any(a.status == 302 for a in attempts if a.started == "before")
