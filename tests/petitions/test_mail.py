"""The confirmation mail: a failing mail server keeps the signature, retries send once, never twice."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.template import TemplateSyntaxError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import ReferenceIndex

from petitions import tasks
from petitions.mail import delivery
from petitions.models import MailStatus, Signature
from petitions.tasks import send_queued_confirmation_emails

from .conftest import run_worker, sign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server_down(settings):
    """Real SMTP to a port where nothing listens: the connection is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False


def test_failing_mail_server_keeps_the_signature_and_a_later_retry_sends_it_once(
    client, petition, settings, mail_server_down, mailoutbox
):
    settings.PETITION_MAIL_RETRY_SECONDS = 0

    response = sign(client, petition, email="jane@example.org")
    run_worker()

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.mail_status == MailStatus.FAILED
    assert signature.mail_attempts == 1
    assert signature.mail_last_error == "ConnectionRefusedError"
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("retry_confirmation_emails", verbosity=0)
    run_worker()
    call_command("retry_confirmation_emails", verbosity=0)
    run_worker()

    assert [m.to for m in mailoutbox] == [["jane@example.org"]]
    signature.refresh_from_db()
    assert signature.mail_status == MailStatus.SENT
    assert signature.mail_attempts == 2


def test_retry_waits_for_its_backoff(client, petition, settings, mail_server_down):
    settings.PETITION_MAIL_RETRY_SECONDS = 3600
    sign(client, petition)
    run_worker()

    call_command("retry_confirmation_emails", verbosity=0)

    signature = Signature.objects.get()
    assert signature.mail_status == MailStatus.FAILED
    assert signature.mail_next_attempt_at > timezone.now()
    assert not DBTaskResult.objects.filter(
        task_path="petitions.tasks.send_queued_confirmation_emails", status="READY"
    ).exists()


def test_mail_that_failed_the_maximum_number_of_times_is_left_alone(
    client, petition, settings, mail_server_down
):
    settings.PETITION_MAIL_RETRY_SECONDS = 0
    settings.PETITION_MAIL_MAX_ATTEMPTS = 2
    sign(client, petition)
    run_worker()
    call_command("retry_confirmation_emails", verbosity=0)
    run_worker()

    call_command("retry_confirmation_emails", verbosity=0)
    run_worker()

    signature = Signature.objects.get()
    assert signature.mail_status == MailStatus.FAILED
    assert signature.mail_attempts == 2


def test_task_run_twice_for_one_confirmation_mails_once(client, petition, mailoutbox):
    sign(client, petition)
    send_queued_confirmation_emails.enqueue()

    run_worker()

    assert len(mailoutbox) == 1


def test_mail_whose_task_was_lost_is_queued_again_by_the_sweeper(client, petition, settings, mailoutbox):
    settings.PETITION_MAIL_STUCK_SECONDS = 0
    sign(client, petition)
    # A worker that crashed mid-task leaves its task RUNNING for ever; here the task is gone.
    DBTaskResult.objects.filter(task_path="petitions.tasks.send_queued_confirmation_emails").delete()

    call_command("retry_confirmation_emails", verbosity=0)
    run_worker()
    call_command("retry_confirmation_emails", verbosity=0)
    run_worker()

    assert len(mailoutbox) == 1
    assert Signature.objects.get().mail_status == MailStatus.SENT


def test_no_mail_for_a_signature_confirmed_or_invalidated_before_the_task_ran(client, petition, mailoutbox):
    sign(client, petition, email="first@example.org")
    sign(client, petition, email="second@example.org")
    first, second = Signature.objects.order_by("pk")
    Signature.objects.filter(pk=first.pk).update(confirmed_at=timezone.now())
    Signature.objects.filter(pk=second.pk).update(invalidated_at=timezone.now(), invalidation_reason="Bot")

    run_worker()

    assert mailoutbox == []
    assert set(Signature.objects.values_list("mail_status", flat=True)) == {MailStatus.NOT_NEEDED}


def test_mail_has_plain_text_and_html_with_the_same_link(client, petition, mailoutbox):
    sign(client, petition, first_name="Priya")
    run_worker()

    message = mailoutbox[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Dear Priya" in message.body
    assert "Dear Priya" in html
    link = next(word for word in message.body.split() if "/petitions/confirm/" in word)
    assert link in html
    assert link.startswith("http://localhost/petitions/confirm/")


def delivery_tasks():
    return DBTaskResult.objects.filter(task_path="petitions.tasks.send_queued_confirmation_emails")


def test_mails_queued_while_a_delivery_task_waits_share_it_and_all_go_out(
    client, petition, settings, mailoutbox
):
    settings.PETITION_MAIL_COALESCE_SECONDS = 5
    for n in range(3):
        sign(client, petition, email=f"signer{n}@example.org")

    assert delivery_tasks().count() == 1
    run_worker()
    assert sorted(message.to[0] for message in mailoutbox) == [f"signer{n}@example.org" for n in range(3)]
    assert set(Signature.objects.values_list("mail_status", flat=True)) == {MailStatus.SENT}
    # Saving signatures keeps nothing in Wagtail's reference index.
    signature_type = ContentType.objects.get_for_model(Signature)
    assert not ReferenceIndex.objects.filter(content_type=signature_type).exists()

    # The task removed its note as it started: the next mail gets a task of its own.
    sign(client, petition, email="later@example.org")
    assert delivery_tasks().filter(status="READY").count() == 1


def test_a_delivery_task_sends_one_batch_and_leaves_the_rest_to_another(
    client, petition, settings, monkeypatch, mailoutbox
):
    settings.PETITION_MAIL_COALESCE_SECONDS = 5
    monkeypatch.setattr(tasks, "DELIVERY_BATCH", 2)
    for n in range(3):
        sign(client, petition, email=f"signer{n}@example.org")

    run_worker()

    assert len(mailoutbox) == 3
    assert list(delivery_tasks().order_by("enqueued_at").values_list("return_value", flat=True)) == [2, 1]


def test_a_mail_that_cannot_be_built_does_not_hold_back_the_others(
    client, petition, settings, monkeypatch, mailoutbox
):
    settings.PETITION_MAIL_COALESCE_SECONDS = 5
    sign(client, petition, email="first@example.org")
    sign(client, petition, email="second@example.org")
    first = Signature.objects.get(email="first@example.org")
    build = delivery.build_confirmation_email

    def build_failing_for_the_first(signature, petition):
        if signature.pk == first.pk:
            raise TemplateSyntaxError("A broken template")
        return build(signature, petition)

    monkeypatch.setattr(delivery, "build_confirmation_email", build_failing_for_the_first)
    run_worker()

    assert [message.to for message in mailoutbox] == [["second@example.org"]]
    first.refresh_from_db()
    assert (first.mail_status, first.mail_last_error) == (MailStatus.FAILED, "TemplateSyntaxError")


def test_a_mail_queued_while_a_delivery_task_runs_gets_a_task_of_its_own(
    client, petition, settings, monkeypatch, mailoutbox
):
    settings.PETITION_MAIL_COALESCE_SECONDS = 5
    sign(client, petition, email="first@example.org")
    deliver = delivery.deliver_confirmation_email

    def deliver_while_someone_else_signs(signature_id, now=None):
        if not Signature.objects.filter(email="during@example.org").exists():
            # The running task has already chosen its mails; this one must not wait for the sweeper.
            sign(client, petition, email="during@example.org")
        return deliver(signature_id, now)

    monkeypatch.setattr(tasks, "deliver_confirmation_email", deliver_while_someone_else_signs)
    run_worker()

    assert sorted(message.to[0] for message in mailoutbox) == ["during@example.org", "first@example.org"]
    assert delivery_tasks().count() == 2
