"""The database connection's health check (core/postgresql): a connection the server has closed is replaced
before a request uses it, and a quiet one is used as it is, without a `SELECT 1` round trip first."""

import select

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_connection():
    """A second connection to the test database, as an app server's is: kept between requests, checked.

    Its `is_usable` (the `SELECT 1`) is wrapped to note each call.
    """
    other = connections.create_connection("default")
    assert other.settings_dict["CONN_HEALTH_CHECKS"]
    other.ensure_connection()
    other.round_trip_checks = []
    checked = other.is_usable

    def is_usable():
        other.round_trip_checks.append(True)
        return checked()

    other.is_usable = is_usable
    yield other
    other.close()


def next_request_runs(other, sql):
    """What Django does around a request: the connection is due for a check, then the view queries."""
    other.close_if_unusable_or_obsolete()
    with other.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_quiet_connection_is_used_without_a_round_trip_to_check_it(app_connection):
    pid = app_connection.connection.info.backend_pid

    assert next_request_runs(app_connection, "SELECT pg_backend_pid()") == pid
    assert next_request_runs(app_connection, "SELECT pg_backend_pid()") == pid

    assert app_connection.round_trip_checks == []


def test_a_connection_the_server_closed_is_replaced_and_the_request_succeeds(app_connection):
    pid = app_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the idle socket (waiting for it, not timing it).
    poll = select.poll()
    poll.register(app_connection.connection.fileno(), select.POLLIN)
    assert poll.poll(10_000)

    new_pid = next_request_runs(app_connection, "SELECT pg_backend_pid()")

    assert new_pid != pid
    assert app_connection.round_trip_checks == [True]
