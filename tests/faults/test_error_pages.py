"""The error page a failed request gets: 503 "try again" when the database is away, 500 otherwise.

`test_database_outage.py` shows the 503 page through a real outage; this checks the choice itself, on
any database. Django calls the handler inside the `except` block of the failed request, as here.
"""

from django.db import InterfaceError, OperationalError

from core.views import server_error


def handle(request, error):
    try:
        raise error
    except Exception:
        return server_error(request)


def test_a_lost_database_connection_gets_the_retry_page(rf):
    for error in (OperationalError("connection refused"), InterfaceError("connection already closed")):
        response = handle(rf.post("/petitions/1/sign/"), error)

        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        assert "We're having trouble right now" in response.content.decode()


def test_any_other_error_gets_the_plain_500_page(rf):
    response = handle(rf.get("/"), ValueError("a bug"))

    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
    assert not response.has_header("Retry-After")
