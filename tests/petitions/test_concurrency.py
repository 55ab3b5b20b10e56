"""Confirmation links followed at the same instant, against PostgreSQL: each signature counted once.

Simultaneous submissions of one email, through gunicorn, are in tests/faults/test_concurrent_signing.py.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from petitions.models import Signature
from petitions.models.counts import get_counts
from petitions.signing.signatures import confirm_signature

from .conftest import sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(count, work):
    """Run `work(n)` in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_distinct_signatures_are_all_kept_and_counted(petition):
    in_threads(20, lambda n: sign(Client(), petition, email=f"person{n}@example.org").status_code)
    ids = list(Signature.objects.values_list("pk", flat=True))

    in_threads(len(ids), lambda n: confirm_signature(ids[n]))
    in_threads(len(ids), lambda n: confirm_signature(ids[n]))

    assert len(ids) == 20
    assert get_counts(petition).total == 20
