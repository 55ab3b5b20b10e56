"""The mail server down while people sign, then back: every signature kept, every mail sent once.

The worker and the sweeper run as in production, in their own processes, and talk SMTP to a real
server on a loopback port (none at all while it is "down").
"""

import re

import pytest
from django.urls import reverse

from petitions.models import MailStatus, Signature
from tests.petitions.conftest import post_form, press_confirm, sign_data

from .services import manage, run_worker_batch, service_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_signing_goes_on_while_the_mail_server_is_down_and_each_mail_goes_out_once_it_is_back(
    petition, client, smtp_sink, smtp_port
):
    emails = sorted(f"person{n}@example.org" for n in range(3))
    for address in emails:
        response = post_form(client, reverse("petitions:sign", args=[petition.pk]), sign_data(email=address))
        assert response.status_code == 302
    # Retries fall due at once rather than after a minute.
    env = service_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", PETITION_MAIL_RETRY_SECONDS="0")

    run_worker_batch(env)

    signatures = Signature.objects.filter(petition=petition)
    assert sorted(signatures.values_list("email", flat=True)) == emails
    assert set(signatures.values_list("mail_status", "mail_attempts", "mail_last_error")) == {
        (MailStatus.FAILED, 1, "ConnectionRefusedError")
    }

    smtp_sink.start()
    assert "Queued 3 " in manage("retry_confirmation_emails", env=env)
    run_worker_batch(env)

    assert smtp_sink.recipients() == emails
    assert set(signatures.values_list("mail_status", flat=True)) == {MailStatus.SENT}

    # The sweeper and the worker going round again send nothing more.
    assert "Queued 0 " in manage("retry_confirmation_emails", env=env)
    run_worker_batch(env)
    assert smtp_sink.recipients() == emails

    # And the link in the mail that finally arrived works.
    _recipients, message = smtp_sink.messages[0]
    confirm_path = re.search(r"/petitions/confirm/[^/\s]+/", message.get_body(("plain",)).get_content())[0]
    assert press_confirm(client, confirm_path).status_code == 302
    assert signatures.confirmed().count() == 1
