"""Sending an approved update, in this process: who gets it, the headers, refusals, cancelling, the rate.

The batch is run here (`SendingRun.send_batch`, what the worker's task calls) with Django's locmem mail
backend, or a real SMTP server where the server's answer matters (a 5xx refusal). The real worker and
its crashes are in tests/faults/test_update_sending.py.
"""

import threading

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from petitions.models import Audience, DeliveryStatus, PetitionUpdate, Signature, UpdateDelivery, UpdateStatus
from petitions.updates import sending
from petitions.updates.batch_mail import BatchComposer
from petitions.updates.progress import delivery_progress
from petitions.updates.sending import CannotSend, Pacer, SendingRun, start_sending
from petitions.updates.unsubscribe import read_unsubscribe_token
from tests.faults.services import SmtpSink, free_port, mail_through, wait_until

from .factories import PetitionPageFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def confirmed(petition, email, **fields):
    return SignatureFactory(petition=petition, email=email, confirmed_at=timezone.now(), **fields)


def approved_update(petition, audience=Audience.CAMPAIGN_NEWS, **fields):
    return PetitionUpdate.objects.create(
        petition=petition,
        audience=audience,
        subject="The letter was delivered",
        body="<p>We handed the letter in today.</p>",
        status=UpdateStatus.APPROVED,
        **fields,
    )


def run_batches(update, limit=50):
    """What the worker does: batch tasks of the update's current run until none is left to send."""
    for _ in range(limit):
        update.refresh_from_db()
        if update.status != UpdateStatus.SENDING:
            return
        SendingRun(update.pk, update.sending_run).send_batch()
        if update.sending_heartbeat_at is None:
            return
    raise AssertionError("Sending did not finish")


@pytest.fixture
def audience(petition):
    """Two who agreed to hear more, and one of each kind that must get nothing."""
    return {
        "ann": confirmed(petition, "ann@example.org", contact_consent=True, first_name="Ann"),
        "bob": confirmed(petition, "bob@example.org", contact_consent=True, first_name="Bob"),
        "no_consent": confirmed(petition, "cy@example.org"),
        "unconfirmed": SignatureFactory(petition=petition, email="dan@example.org", contact_consent=True),
        "invalidated": confirmed(
            petition,
            "eve@example.org",
            contact_consent=True,
            invalidated_at=timezone.now(),
            invalidation_reason="Test",
        ),
    }


def test_starting_writes_one_queued_row_per_recipient_and_queues_a_batch(
    petition, audience, django_capture_on_commit_callbacks
):
    update = approved_update(petition)
    with django_capture_on_commit_callbacks(execute=True):
        assert start_sending(update.pk) == 2
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENDING and update.sending_started_at is not None
    rows = UpdateDelivery.objects.filter(update=update)
    assert sorted(rows.values_list("signature__email", flat=True)) == ["ann@example.org", "bob@example.org"]
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}
    task = DBTaskResult.objects.get(task_path="petitions.updates.sending.send_update_batch")
    assert task.args_kwargs["args"] == [update.pk, update.sending_run]
    entry = ModelLogEntry.objects.get(action=sending.STARTED_ACTION)
    assert entry.data == {"count": 2}


def test_writing_the_rows_again_adds_nobody_twice(petition, audience):
    update = approved_update(petition)
    assert sending._write_deliveries(update) == 2
    assert sending._write_deliveries(update) == 0
    assert UpdateDelivery.objects.filter(update=update).count() == 2


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (UpdateStatus.DRAFT, "is a draft"),
        (UpdateStatus.AWAITING_APPROVAL, "waiting for approval"),
        (UpdateStatus.SENT, "already been sent"),
        (UpdateStatus.CANCELLED, "was cancelled"),
    ],
)
def test_only_an_approved_update_starts(petition, audience, status, words):
    update = approved_update(petition)
    PetitionUpdate.objects.filter(pk=update.pk).update(status=status)
    with pytest.raises(CannotSend, match=words):
        start_sending(update.pk)
    assert not UpdateDelivery.objects.exists()


def test_an_update_set_for_later_waits_for_its_time(petition, audience):
    later = timezone.now() + timezone.timedelta(hours=2)
    update = approved_update(petition, send_after=later)
    with pytest.raises(CannotSend, match="It will be sent then"):
        start_sending(update.pk)
    assert sending.start_due_updates() == 0
    assert sending.start_due_updates(now=later) == 1
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENDING


def test_the_command_starts_an_approved_update_and_refuses_a_draft(petition, audience, capsys):
    draft = approved_update(petition)
    PetitionUpdate.objects.filter(pk=draft.pk).update(status=UpdateStatus.DRAFT)
    with pytest.raises(CommandError, match="is a draft. Submit it for approval first"):
        call_command("send_petition_update", str(draft.pk))
    with pytest.raises(CommandError, match="There is no update 999999"):
        call_command("send_petition_update", "999999")
    update = approved_update(petition)
    call_command("send_petition_update", str(update.pk))
    assert "to 2 signers" in capsys.readouterr().out
    assert UpdateDelivery.objects.filter(update=update).count() == 2


def test_each_recipient_gets_one_mail_with_the_one_click_unsubscribe_headers(petition, audience, mailoutbox):
    update = approved_update(petition)
    start_sending(update.pk)
    run_batches(update)

    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "ann@example.org",
        "bob@example.org",
    ]
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENT and update.sent_at is not None
    for mail in mailoutbox:
        signature = Signature.objects.get(email=mail.to[0])
        header = mail.extra_headers["List-Unsubscribe"]
        assert header.startswith("<http://localhost/petitions/unsubscribe/") and header.endswith("/>")
        token = header.removeprefix("<http://localhost/petitions/unsubscribe/").removesuffix("/>")
        assert read_unsubscribe_token(token) == signature.pk
        assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # The same link is in the body, for people.
        assert header[1:-1] in mail.body
        assert header[1:-1] in mail.alternatives[0][0]
        assert mail.subject == "The letter was delivered"
    assert delivery_progress(update) == {
        "queued": 0,
        "sent": 2,
        "failed": 0,
        "retrying": 0,
        "skipped": 0,
        "total": 2,
        "remaining": 0,
        "started": True,
    }
    assert ModelLogEntry.objects.get(action=sending.FINISHED_ACTION).data["sent"] == 2


def test_the_headers_in_the_mail_as_sent(petition, audience, mailoutbox):
    update = approved_update(petition)
    start_sending(update.pk)
    run_batches(update)
    message = mailoutbox[0].message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://localhost/petitions/unsubscribe/")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in message.as_string()


def test_a_signer_who_withdraws_after_the_start_is_skipped(petition, audience, mailoutbox):
    update = approved_update(petition)
    start_sending(update.pk)
    Signature.objects.filter(pk=audience["bob"].pk).update(
        contact_consent=False, contact_withdrawn_at=timezone.now()
    )
    run_batches(update)
    assert [mail.to for mail in mailoutbox] == [["ann@example.org"]]
    assert UpdateDelivery.objects.get(signature=audience["bob"]).status == DeliveryStatus.SKIPPED


def test_outcome_goes_to_every_confirmed_signer_only_where_promised(plain_home_page, mailoutbox):
    promised = PetitionPageFactory(parent=plain_home_page, tells_outcome=True)
    confirmed(promised, "ann@example.org", contact_consent=True)
    confirmed(promised, "cy@example.org")
    SignatureFactory(petition=promised, email="dan@example.org")
    update = approved_update(promised, audience=Audience.OUTCOME)
    assert start_sending(update.pk) == 2
    run_batches(update)
    assert sorted(mail.to[0] for mail in mailoutbox) == ["ann@example.org", "cy@example.org"]


def test_cancelling_part_way_skips_everyone_not_yet_sent(petition, settings, mailoutbox):
    settings.UPDATE_MAIL_BATCH_SIZE = 2
    for n in range(5):
        confirmed(petition, f"p{n}@example.org", contact_consent=True)
    update = approved_update(petition)
    start_sending(update.pk)
    update.refresh_from_db()
    SendingRun(update.pk, update.sending_run).send_batch()
    assert len(mailoutbox) == 2
    PetitionUpdate.objects.filter(pk=update.pk).update(status=UpdateStatus.CANCELLED)
    SendingRun(update.pk, update.sending_run).send_batch()
    assert len(mailoutbox) == 2
    progress = delivery_progress(update)
    assert (progress["sent"], progress["skipped"], progress["remaining"]) == (2, 3, 0)
    assert ModelLogEntry.objects.get(action=sending.STOPPED_ACTION).data == {"count": 3}


def test_a_task_of_an_older_run_sends_nothing(petition, audience, mailoutbox):
    update = approved_update(petition)
    start_sending(update.pk)
    update.refresh_from_db()
    SendingRun(update.pk, update.sending_run - 1).send_batch()
    assert mailoutbox == []


def test_progress_counts_retries_as_still_to_send_in_one_query(petition, audience):
    update = approved_update(petition)
    start_sending(update.pk)
    first = UpdateDelivery.objects.filter(update=update).order_by("pk").first()
    UpdateDelivery.objects.filter(pk=first.pk).update(
        status=DeliveryStatus.FAILED, attempts=1, next_attempt_at=timezone.now()
    )
    with CaptureQueriesContext(connection) as queries:
        progress = delivery_progress(update)
    assert len(queries) == 1
    assert (progress["queued"], progress["retrying"], progress["remaining"], progress["total"]) == (
        1,
        1,
        2,
        2,
    )


def counting_pacer(rate):
    """A pacer on a counting clock: (the pacer, the clock, the waits it made)."""
    clock = {"now": 0.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock["now"] += seconds

    return Pacer(rate, clock=lambda: clock["now"], sleep=sleep), clock, slept


def test_the_pacer_holds_the_rate_by_count():
    pacer, clock, slept = counting_pacer(4)
    for _ in range(9):
        pacer.wait()
    # Nine mails at four a second: the ninth goes two seconds after the first, not earlier.
    assert clock["now"] == pytest.approx(2.0)
    assert len(slept) == 8
    unpaced, _clock, unpaced_slept = counting_pacer(0)
    for _ in range(100):
        unpaced.wait()
    assert unpaced_slept == []


def test_the_pacer_holds_the_rate_across_threads():
    pacer, clock, slept = counting_pacer(4)
    going = threading.Barrier(3)

    def three_mails():
        going.wait()
        for _ in range(3):
            pacer.wait()

    senders = [threading.Thread(target=three_mails) for _ in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    # Nine mails from three threads at four a second: still two seconds from the first to the ninth, each
    # quarter of a second waited once (no two threads took the same turn).
    assert clock["now"] == pytest.approx(2.0)
    assert slept == pytest.approx([0.25] * 8)


def test_sending_with_a_rate_waits_between_mails(petition, settings, monkeypatch, mailoutbox):
    settings.UPDATE_MAIL_RATE_PER_SECOND = 2
    for n in range(5):
        confirmed(petition, f"p{n}@example.org", contact_consent=True)
    clock = {"now": 0.0}

    def sleep(seconds):
        clock["now"] += seconds

    monkeypatch.setitem(sending.pacer_clock, "clock", lambda: clock["now"])
    monkeypatch.setitem(sending.pacer_clock, "sleep", sleep)
    update = approved_update(petition)
    start_sending(update.pk)
    run_batches(update)
    assert len(mailoutbox) == 5
    assert clock["now"] == pytest.approx(2.0)  # five mails at two a second


def test_with_a_rate_a_batch_lasts_about_a_minute(settings):
    settings.UPDATE_MAIL_BATCH_SIZE = 500
    settings.UPDATE_MAIL_RATE_PER_SECOND = 2
    assert sending.batch_size() == 120
    settings.UPDATE_MAIL_RATE_PER_SECOND = 0
    assert sending.batch_size() == 500


class RefusingSink(SmtpSink):
    """A real SMTP server that refuses some recipients for good (550) and others for now (451)."""

    def __init__(self, port, refuse=(), defer=()):
        super().__init__(port)
        self.refuse, self.defer = set(refuse), set(defer)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        if address in self.defer:
            return "451 4.3.0 Try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def refusing_sink(settings):
    sink = RefusingSink(free_port(), refuse={"bob@example.org"}, defer={"ann@example.org"})
    with mail_through(sink, settings):
        yield sink


def test_a_permanent_refusal_marks_the_address_undeliverable_and_the_next_update_skips_it(
    petition, plain_home_page, audience, refusing_sink, settings
):
    settings.PETITION_MAIL_RETRY_SECONDS = 3600
    other_letter = PetitionPageFactory(parent=plain_home_page)
    bob_elsewhere = confirmed(other_letter, "Bob@Example.org", contact_consent=True)
    update = approved_update(petition)
    start_sending(update.pk)
    run_batches(update)

    bob = UpdateDelivery.objects.get(update=update, signature=audience["bob"])
    assert (bob.status, bob.last_error, bob.next_attempt_at) == (
        DeliveryStatus.FAILED,
        "SMTPRecipientsRefused 550",
        None,
    )
    ann = UpdateDelivery.objects.get(update=update, signature=audience["ann"])
    # A 4xx is for now: failed, with a retry to come.
    assert (ann.status, ann.last_error, ann.next_attempt_at is not None) == (
        DeliveryStatus.FAILED,
        "SMTPRecipientsRefused 451",
        True,
    )
    audience["bob"].refresh_from_db()
    bob_elsewhere.refresh_from_db()
    assert audience["bob"].undeliverable_at is not None and bob_elsewhere.undeliverable_at is not None
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENDING and update.sending_heartbeat_at is None  # waits for Ann

    # The next update, on the other letter, leaves Bob out from the start.
    refusing_sink.defer.clear()
    later = approved_update(other_letter)
    assert start_sending(later.pk) == 0
    run_batches(later)
    later.refresh_from_db()
    assert later.status == UpdateStatus.SENT

    # Ann's retry falls due; the sweeper starts a new run, which sends it.
    assert sending.resume_stuck_updates() == 0
    assert sending.resume_stuck_updates(now=timezone.now() + timezone.timedelta(hours=2)) == 1
    UpdateDelivery.objects.filter(pk=ann.pk).update(next_attempt_at=timezone.now())
    run_batches(update)
    ann.refresh_from_db()
    assert (ann.status, ann.attempts) == (DeliveryStatus.SENT, 2)
    assert refusing_sink.recipients() == ["ann@example.org"]
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENT


# Outside a test's transaction, as in the worker: each mail's transaction is two queries of its own.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_the_worker_each_mail_is_locked_and_recorded_in_two_queries(
    petition, audience, refusing_sink, settings
):
    # One connection, so every mail's queries are on this thread's database connection, where they are
    # captured (with more, each sender thread has its own).
    settings.UPDATE_MAIL_CONNECTIONS = 1
    dee = confirmed(petition, "dee@example.org", contact_consent=True)
    update = approved_update(petition)
    start_sending(update.pk)
    update.refresh_from_db()

    with CaptureQueriesContext(connection) as queries:
        assert SendingRun(update.pk, update.sending_run).send_batch() == 1

    mail_queries = [query["sql"] for query in queries if "petitions_updatedelivery" in query["sql"]]
    locks = [sql for sql in mail_queries if sql.startswith("BEGIN; SELECT attempts")]
    records = [sql for sql in mail_queries if sql.startswith("UPDATE") and sql.endswith("; COMMIT")]
    assert len(locks) == len(records) == 3
    assert all("FOR UPDATE SKIP LOCKED" in sql and "synchronous_commit" in sql for sql in locks)
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert refusing_sink.recipients() == ["dee@example.org"]
    assert UpdateDelivery.objects.get(signature=dee).status == DeliveryStatus.SENT
    # Bob's permanent refusal marked his address inside his mail's transaction, and it was committed.
    audience["bob"].refresh_from_db()
    assert audience["bob"].undeliverable_at is not None
    ann = UpdateDelivery.objects.get(signature=audience["ann"])
    assert (ann.status, ann.attempts, ann.next_attempt_at is not None) == (DeliveryStatus.FAILED, 1, True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_the_worker_an_error_in_the_middle_of_a_mail_rolls_its_transaction_back(
    petition, audience, monkeypatch, mailoutbox
):
    update = approved_update(petition)
    start_sending(update.pk)
    update.refresh_from_db()

    def broken(*args):
        raise RuntimeError("template missing")

    monkeypatch.setattr(sending, "compose_update_message", broken)
    with pytest.raises(RuntimeError):
        SendingRun(update.pk, update.sending_run).send_batch()

    assert mailoutbox == []
    # No transaction left open, so no row left locked: another run may take them at once.
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert set(UpdateDelivery.objects.filter(update=update).values_list("status", "attempts")) == {
        (DeliveryStatus.QUEUED, 0)
    }


def open_database_connections():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.fixture
def smtp_sink(settings):
    with mail_through(SmtpSink(free_port()), settings) as sink:
        yield sink


@pytest.fixture
def three_connections(settings):
    settings.UPDATE_MAIL_CONNECTIONS = 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_the_worker_three_connections_keep_the_run_s_rate_and_close_their_database_connections(
    petition, settings, monkeypatch, smtp_sink, three_connections
):
    settings.UPDATE_MAIL_RATE_PER_SECOND = 2
    emails = [confirmed(petition, f"p{n}@example.org", contact_consent=True).email for n in range(6)]
    clock = {"now": 0.0}
    waited_in = set()

    def sleep(seconds):
        waited_in.add(threading.current_thread().name)
        clock["now"] += seconds

    monkeypatch.setitem(sending.pacer_clock, "clock", lambda: clock["now"])
    monkeypatch.setitem(sending.pacer_clock, "sleep", sleep)
    update = approved_update(petition)
    start_sending(update.pk)
    update.refresh_from_db()
    before = open_database_connections()

    assert SendingRun(update.pk, update.sending_run).send_batch() == 6

    assert clock["now"] == pytest.approx(2.5)  # six mails at two a second, whichever connection sent each
    assert waited_in and all(name.startswith(f"update-{update.pk}-mail-") for name in waited_in)
    assert smtp_sink.recipients() == emails
    assert set(UpdateDelivery.objects.filter(update=update).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    # Each sender thread closed its own database connection (a server process ends a moment after).
    wait_until(lambda: open_database_connections() == before, timeout=10, what="the threads' connections")


def started_update(petition, emails):
    """An approved update to these signers (who agreed to hear more), started: its rows queued."""
    for email in emails:
        confirmed(petition, email, contact_consent=True)
    update = approved_update(petition)
    start_sending(update.pk)
    update.refresh_from_db()
    return update


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_the_worker_an_error_in_one_connection_is_raised_by_the_batch_and_stops_the_others(
    petition, monkeypatch, smtp_sink, three_connections
):
    update = started_update(petition, [f"p{n}@example.org" for n in range(9)])
    filled = BatchComposer.message_bytes

    def broken_for_p3(self, email, *args):
        if email == "p3@example.org":
            raise RuntimeError("template missing")
        return filled(self, email, *args)

    monkeypatch.setattr(BatchComposer, "message_bytes", broken_for_p3)
    with pytest.raises(RuntimeError, match="template missing"):
        SendingRun(update.pk, update.sending_run).send_batch()

    rows = UpdateDelivery.objects.filter(update=update)
    assert rows.get(signature__email="p3@example.org").status == DeliveryStatus.QUEUED
    sent = sorted(rows.filter(status=DeliveryStatus.SENT).values_list("signature__email", flat=True))
    assert smtp_sink.recipients() == sent
    assert rows.filter(status=DeliveryStatus.QUEUED).count() == 9 - len(sent)
    # No transaction left open in any thread, so no row left locked: another run may take them at once.
    with transaction.atomic():
        assert len(rows.select_for_update(nowait=True)) == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_the_worker_a_cancel_seen_by_one_connection_stops_them_all_after_their_current_mail(
    petition, monkeypatch, smtp_sink, three_connections
):
    update = started_update(petition, [f"p{n:02d}@example.org" for n in range(12)])
    # A heartbeat before every mail, so the cancel is seen at the next mail any connection asks for.
    monkeypatch.setattr(sending, "HEARTBEAT", timezone.timedelta(0))
    deliver = SendingRun._deliver

    def cancelled_after_the_second(self, *args, **kwargs):
        outcome = deliver(self, *args, **kwargs)
        if len(smtp_sink.recipients()) >= 2:
            PetitionUpdate.objects.filter(pk=update.pk).update(status=UpdateStatus.CANCELLED)
        return outcome

    monkeypatch.setattr(SendingRun, "_deliver", cancelled_after_the_second)
    tasks = DBTaskResult.objects.count()

    sent = SendingRun(update.pk, update.sending_run).send_batch()

    # The two (or three, had another connection finished one meanwhile), and at most the mail each other
    # connection was sending as the cancel came: far from the twelve.
    assert 2 <= sent <= 6
    rows = UpdateDelivery.objects.filter(update=update)
    assert len(smtp_sink.recipients()) == rows.filter(status=DeliveryStatus.SENT).count() == sent
    assert rows.filter(status=DeliveryStatus.QUEUED).count() == 12 - sent
    assert DBTaskResult.objects.count() == tasks  # no next batch
