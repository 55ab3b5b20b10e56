"""Many people signing at the same instant, through gunicorn and PostgreSQL: each kept and counted once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db.models import Sum
from django.urls import reverse

from petitions.models import MailStatus, Signature, SignatureCount
from tests.petitions.factories import PetitionPageFactory

from .services import Signer, run_worker_batch, service_env, signing_paths

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 32


def test_fifty_simultaneous_submissions_of_one_email_keep_one_signature_and_one_mail(
    petition, app_server, smtp_sink, smtp_port
):
    variants = [
        "jane.doughty@example.org",
        "JANE.DOUGHTY@EXAMPLE.ORG",
        "Jane.Doughty@example.org",
        "jane.doughty@Example.Org",
        "jAnE.dOuGhTy@example.ORG",
    ]
    paths = signing_paths(petition)
    with ThreadPoolExecutor(max_workers=50) as pool:
        signers = list(pool.map(lambda _n: Signer(app_server, paths).open_form(), range(50)))
        everyone_ready = threading.Barrier(50)

        def submit(n):
            everyone_ready.wait(timeout=30)
            return signers[n].sign(variants[n % len(variants)])

        responses = list(pool.map(submit, range(50)))

    check_email_path = reverse("petitions:check_email", args=[petition.pk])
    assert [(r.status_code, r.headers.get("Location")) for r in responses] == [(302, check_email_path)] * 50
    assert Signature.objects.filter(petition=petition).count() == 1
    # Each submission asks for a delivery, a repeat as much as a new signature (so that both answers take
    # as long); without a shared cache to gather them each is a task, and the worker sends the one mail.
    smtp_sink.start()
    run_worker_batch(service_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}"))
    [recipient] = smtp_sink.recipients()
    assert recipient.lower() == "jane.doughty@example.org"
    assert Signature.objects.get(petition=petition).mail_status == MailStatus.SENT


def test_a_thousand_simultaneous_signers_are_all_kept_and_counted(plain_home_page, app_server):
    # Without email confirmation a signature counts as it is made, so the count can be checked at once.
    petition = PetitionPageFactory(parent=plain_home_page, confirmation_required=False)
    paths = signing_paths(petition)
    emails = [f"signer{n}@example.org" for n in range(1000)]

    def sign_share(client):
        signer = Signer(app_server, paths).open_form()
        return [signer.sign(address).status_code for address in emails[client::CLIENTS]]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for share in pool.map(sign_share, range(CLIENTS)) for status in share]

    assert statuses == [302] * 1000
    kept = Signature.objects.filter(petition=petition).values_list("email", flat=True)
    assert sorted(kept) == sorted(emails)
    assert SignatureCount.objects.filter(petition=petition).aggregate(total=Sum("count"))["total"] == 1000
    count = requests.get(app_server + reverse("petitions:count", args=[petition.pk]), timeout=10).json()
    assert count["count"] == 1000
