"""Sending an approved update to its recipients, in the task worker, in batches that can stop and resume.

The delivery rows are the outbox and the record: `start_sending` writes one `UpdateDelivery` per
recipient in the transaction that marks the update "sending" (one INSERT … SELECT, ON CONFLICT DO
NOTHING, so starting twice adds nobody twice), then queues the first `send_update_batch` task (ids only
as arguments). Each batch sends up to UPDATE_MAIL_BATCH_SIZE mails, then queues the next; the last one
marks the update "sent". In the worker a batch sends over UPDATE_MAIL_CONNECTIONS SMTP connections at
once, each from a thread of its own with its own database connection, taking the batch's next mail as
it is free (a mail's time is mostly waiting for the mail server and PostgreSQL, so one connection
leaves the worker idle); everything said below of one mail holds for each connection's.

At least once, never twice for one recipient in practice (the confirmation mail's rule,
petitions.tasks): each mail is sent with its delivery row locked (SELECT … FOR UPDATE SKIP LOCKED, in a
transaction of its own) and only while the row is still due, and "sent" is committed in that
transaction just after the mail server accepted the mail. A worker killed before that commit leaves
the row queued; a new run sends it. Only a death in the instant between the server's acceptance and the
commit sends one person a second copy. Committing per mail, not per batch, is what keeps that window
to one mail per connection: with N connections at most N mails are in flight, each with its row
locked, so a kill in that instant resends at most N mails (one per connection), and never two copies
otherwise; a batch in one transaction would mail a whole batch again after a kill. Those commits do
not wait for the disk (`synchronous_commit` off for the mail's transaction, see `_claim_sql`): a
killed worker loses no acknowledged commit, but a crash of PostgreSQL itself may forget the last
fraction of a second of "sent" marks, and those few signers get a second copy.

Over SMTP each mail is filled into one composition made per batch (`batch_mail.BatchComposer`, the
same bytes as composing it in full), which was the other half of a mail's time.

What can go wrong, and what happens:
- a recipient no longer eligible (consent withdrawn for news, invalidated, anonymised, undeliverable,
  erased) when their batch comes: the row is "skipped";
- a mail the server does not take for a passing reason (a 4xx, a dropped connection): the row is
  "failed" with the error's kind (never its text: SMTP errors quote addresses) and the time of its next
  attempt (doubling from PETITION_MAIL_RETRY_SECONDS, at most PETITION_MAIL_MAX_ATTEMPTS attempts);
- a permanent refusal of the recipient (SMTP 5xx to RCPT): "failed" for good, and the address's
  signatures marked undeliverable (`Signature.undeliverable_at`), so later updates leave it out;
- the mail server unreachable (a connection cannot open, or reopen after a failed mail): every
  connection of the batch stops after its current mail, without touching the rows not sent; the run
  waits, and the sweeper starts a new one at its next round;
- the worker killed, or its task lost: its run stops showing it is alive (`sending_heartbeat_at`),
  and the sweeper starts a new run after UPDATE_MAIL_STUCK_SECONDS; a task of the older run that
  still turns up stops at its first check (`sending_run`);
- the update cancelled: the next batch (or the running one, at its next heartbeat) stops, and every
  row still to send is "skipped".

`UPDATE_MAIL_RATE_PER_SECOND` paces the mails of a run, all its connections together (0: as fast as the
server takes them).

Why the tasks live here and not in petitions.tasks: the admin's Send (petitions.updates) and the
commands start a sending run, and petitions.tasks sits above this package in the layers.
"""

import logging
import smtplib
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, partial

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from wagtail.log_actions import log

from petitions.mail.delivery import retry_delay
from petitions.models import DeliveryStatus, PetitionUpdate, Signature, UpdateDelivery, UpdateStatus
from petitions.selfservice.links import signer_page_url, site_root_url
from petitions.updates.audience import recipients
from petitions.updates.batch_mail import BatchComposer
from petitions.updates.mail import compose_update_message
from petitions.updates.progress import delivery_progress
from petitions.updates.unsubscribe import add_unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

STARTED_ACTION = "petitions.update_sending_started"
FINISHED_ACTION = "petitions.update_sending_finished"
STOPPED_ACTION = "petitions.update_sending_stopped"

# How often a running batch shows it is alive and looks whether the update was cancelled.
HEARTBEAT = timedelta(seconds=15)
# A batch lasts about this long at most when a rate is set (so a cancel or a new run is seen soon).
_PACED_BATCH_SECONDS = 60


# Rows a run has still to send: queued, or failed with a retry to come.
_STILL_TO_SEND = Q(status=DeliveryStatus.QUEUED) | Q(
    status=DeliveryStatus.FAILED, next_attempt_at__isnull=False
)


_TABLE = UpdateDelivery._meta.db_table
_MARK_SQL = (
    f"UPDATE {_TABLE} SET status = %s, attempts = %s, sent_at = %s, next_attempt_at = %s, "  # noqa: S608 - our table name
    "last_error = %s WHERE id = %s"
)


@cache
def _claim_sql():
    """The per-mail lock: the row, if it is still due, locked for the mail's transaction (skipped if
    another run holds it).

    On PostgreSQL it also sets `synchronous_commit` off for that transaction alone (`set_config(...,
    true)` is SET LOCAL, in the same statement, so no extra round trip): the commit that records "sent"
    returns without waiting for the disk, which was most of a mail's time. A killed worker loses
    nothing by it: what PostgreSQL has acknowledged stays, whoever dies after. Only PostgreSQL itself
    crashing (or its machine) can lose the last fraction of a second of "sent" marks (at most three
    times `wal_writer_delay`, 0.6 s by default), and those mails go out once more when the sweeper
    resumes the run: the at-least-once rule, with a wider window for that one kind of failure.
    """
    features = connection.features
    relaxed = ", set_config('synchronous_commit', 'off', true)" if connection.vendor == "postgresql" else ""
    lock = " FOR UPDATE SKIP LOCKED" if features.has_select_for_update_skip_locked else ""
    return (
        f"SELECT attempts{relaxed} FROM {_TABLE} WHERE id = %s AND (status = %s OR "  # noqa: S608 - our table name
        f"(status = %s AND next_attempt_at <= %s)){lock}"
    )


class _MailTransaction:
    """One mail's transaction: its row locked if still due (`attempts`, else None), then `record()` of
    what became of the mail, committed; anything else leaving the block rolls it back.

    On PostgreSQL, with the connection in autocommit (the worker's), it takes two round trips, each one
    query of two statements (psycopg's client-side binding, Django's default, sends several in one):
    `BEGIN; SELECT … FOR UPDATE SKIP LOCKED` and `UPDATE …; COMMIT`. Django's atomic() would send BEGIN
    and COMMIT as round trips of their own, and the four waits for the database were half of what a
    mail cost beyond the SMTP exchange. Inside an atomic block (tests), or on another database, it is
    atomic() and the statements one by one: the same transaction.
    """

    def __init__(self, delivery_id, now):
        self.params = [delivery_id, DeliveryStatus.QUEUED, DeliveryStatus.FAILED, now]
        self.attempts = None
        self.recorded = False
        self.two_trips = _two_round_trips()
        self.atomic = None
        self.cursor = None

    def __enter__(self):
        if self.two_trips:
            self.cursor = connection.cursor()
            try:
                self.cursor.execute("BEGIN; " + _claim_sql(), self.params)
                self.cursor.nextset()  # past BEGIN's result, to the SELECT's
                row = self.cursor.fetchone()
            except BaseException:
                self._abandon()
                self.cursor.close()  # __exit__ is not called when __enter__ raises
                raise
        else:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                self.cursor = connection.cursor()
                self.cursor.execute(_claim_sql(), self.params)
                row = self.cursor.fetchone()
            except BaseException as error:
                self.atomic.__exit__(type(error), error, error.__traceback__)  # rolls back
                raise
        self.attempts = row[0] if row else None
        return self

    def record(self, params):
        if self.two_trips:
            self.cursor.execute(_MARK_SQL + "; COMMIT", params)
        else:
            self.cursor.execute(_MARK_SQL, params)
        self.recorded = True

    def __exit__(self, exc_type, exc, traceback):
        if self.two_trips:
            if not self.recorded:
                self._abandon()  # nothing due, or an error before the record: nothing to keep
            self.cursor.close()
            return False
        self.cursor.close()
        return self.atomic.__exit__(exc_type, exc, traceback)

    def _abandon(self):
        with suppress(DatabaseError):  # a connection already broken has no transaction left to end
            self.cursor.execute("ROLLBACK")


def _two_round_trips():
    """Whether a mail's transaction can be sent as two queries (see _MailTransaction)."""
    return (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
        and connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") is not True
    )


class CannotSend(Exception):
    """The update cannot start sending; `str()` says why, in words for staff."""


def start_sending(update_id, user=None, now=None):
    """Mark an approved, due update "sending", write its delivery rows and queue its first batch.

    Returns how many recipients it was queued for. Raises CannotSend for a draft, an update awaiting
    approval, one already sending or sent or cancelled, or one whose send time has not come.
    """
    now = now or timezone.now()
    with transaction.atomic():
        update = PetitionUpdate.objects.select_for_update().filter(pk=update_id).first()
        if update is None:
            raise CannotSend(f"There is no update {update_id}.")
        if update.status != UpdateStatus.APPROVED:
            raise CannotSend(_not_approved_message(update))
        if update.send_after and update.send_after > now:
            when = timezone.localtime(update.send_after).strftime("%d %B %Y at %H:%M")
            raise CannotSend(
                f"“{update.subject}” is set to go on {when}. It will be sent then, by the scheduled job."
            )
        queued = _write_deliveries(update)
        PetitionUpdate.objects.filter(pk=update.pk).update(
            status=UpdateStatus.SENDING,
            sending_started_at=now,
            sending_run=update.sending_run + 1,
            sending_heartbeat_at=now,
        )
        update.sending_run += 1
        log(instance=update, action=STARTED_ACTION, user=user, data={"count": queued})
        _queue_batch(update.pk, update.sending_run)
    logger.info("Update %s: sending started to %s recipients", update.pk, queued)
    return queued


def _not_approved_message(update):
    return {
        UpdateStatus.DRAFT: f"“{update.subject}” is a draft. Submit it for approval first.",
        UpdateStatus.AWAITING_APPROVAL: (
            f"“{update.subject}” is waiting for approval. Another person who may send updates must "
            "approve it first."
        ),
        UpdateStatus.SENDING: f"“{update.subject}” is already being sent.",
        UpdateStatus.SENT: f"“{update.subject}” has already been sent.",
        UpdateStatus.CANCELLED: f"“{update.subject}” was cancelled and cannot be sent.",
    }.get(update.status, f"“{update.subject}” cannot be sent now.")


def _write_deliveries(update):
    """One queued row per recipient, in one statement; rows already there are kept as they are."""
    sql, params = recipients(update).order_by().values("pk").query.sql_with_params()
    table = UpdateDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (update_id, signature_id, status, attempts, last_error) "  # noqa: S608 - our table name, parameters bound
            # `WHERE 1 = 1`: SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT to parse it.
            f"SELECT %s, audience.*, %s, 0, '' FROM ({sql}) AS audience WHERE 1 = 1 "
            "ON CONFLICT (update_id, signature_id) DO NOTHING",
            [update.pk, DeliveryStatus.QUEUED, *params],
        )
        return cursor.rowcount


def _queue_batch(update_id, run):
    transaction.on_commit(lambda: send_update_batch.enqueue(update_id, run))


@task()
def send_update_batch(update_id, run):
    """One batch of an update's mails; queues the next, or marks the update sent. Returns mails sent."""
    return SendingRun(update_id, run).send_batch()


def batch_size():
    rate = settings.UPDATE_MAIL_RATE_PER_SECOND
    size = settings.UPDATE_MAIL_BATCH_SIZE
    if rate > 0:
        size = min(size, max(1, int(rate * _PACED_BATCH_SECONDS)))
    return max(1, size)


class Pacer:
    """At most `rate` mails a second over a run: waits before a mail that would come too early.

    Counts mails against the time since the first, so a slow mail is made up for by the next ones and
    the average never passes the rate. One pacer serves every connection of a batch: the lock is held
    while a mail waits for its turn, since the next mail's turn comes after it anyway, and that keeps
    the turns in order. `clock` and `sleep` are time's, or a test's.
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.rate, self.clock, self.sleep = rate, clock, sleep
        self.started = None
        self.count = 0
        self._lock = threading.Lock()

    def wait(self):
        if self.rate <= 0:
            return
        with self._lock:
            now = self.clock()
            if self.started is None:
                self.started = now
            due = self.started + self.count / self.rate
            if due > now:
                self.sleep(due - now)
            self.count += 1


# What time.sleep and time.monotonic are for a run: tests put a counting clock here.
pacer_clock = {"clock": time.monotonic, "sleep": time.sleep}


@dataclass
class _Outcome:
    status: str
    error: str = ""
    refused: bool = False


class SendingRun:
    """The work of one batch task of one run."""

    def __init__(self, update_id, run):
        self.update_id, self.run = update_id, run
        self.pacer = Pacer(settings.UPDATE_MAIL_RATE_PER_SECOND, **pacer_clock)
        self.last_heartbeat = None

    def send_batch(self):
        update = PetitionUpdate.objects.select_related("petition").filter(pk=self.update_id).first()
        if update is None or update.sending_run != self.run:
            return 0  # erased, or a newer run took over
        if update.status == UpdateStatus.CANCELLED:
            skip_remaining(update.pk)
            return 0
        if update.status != UpdateStatus.SENDING or not self._heartbeat():
            return 0
        batch = self._claim_candidates(update)
        if not batch:
            self._finish_or_wait(update)
            return 0
        sent, stopped = self._send(update, batch)
        if stopped == "unreachable":
            self._wait(update)
        elif stopped is None:
            _queue_batch(update.pk, self.run)
        return sent

    def _heartbeat(self):
        """Show the run is alive; False if it must stop (cancelled, or another run took over)."""
        now = timezone.now()
        self.last_heartbeat = now
        alive = PetitionUpdate.objects.filter(
            pk=self.update_id, status=UpdateStatus.SENDING, sending_run=self.run
        ).update(sending_heartbeat_at=now)
        return bool(alive)

    def _still_on(self):
        """False if the run must stop; asks the database only when a heartbeat is due."""
        return timezone.now() - self.last_heartbeat < HEARTBEAT or self._heartbeat()

    def _claim_candidates(self, update):
        """The next rows to try: queued ones first, then failed ones whose retry is due (ids only)."""
        size = batch_size()
        rows = UpdateDelivery.objects.filter(update=update)
        ids = list(
            rows.filter(status=DeliveryStatus.QUEUED).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if len(ids) < size:
            ids += list(
                rows.filter(status=DeliveryStatus.FAILED, next_attempt_at__lte=timezone.now())
                .order_by("pk")
                .values_list("pk", flat=True)[: size - len(ids)]
            )
        return ids

    def _send(self, update, delivery_ids):
        """Send the batch over UPDATE_MAIL_CONNECTIONS connections at once (one outside the worker);
        returns (mails sent, why it stopped early or None)."""
        pairs = list(UpdateDelivery.objects.filter(pk__in=delivery_ids).values_list("pk", "signature_id"))
        eligible = set(
            recipients(update).filter(pk__in=[sig for _pk, sig in pairs]).values_list("pk", flat=True)
        )
        skipped = [pk for pk, sig in pairs if sig not in eligible]
        if skipped:
            UpdateDelivery.objects.filter(_STILL_TO_SEND, pk__in=skipped).update(
                status=DeliveryStatus.SKIPPED, next_attempt_at=None
            )
        root_url = site_root_url(update.petition)
        todo = [(pk, sig) for pk, sig in pairs if sig in eligible]
        # The batch's signers in one query; each row is still checked (and locked) as its mail goes.
        signatures = Signature.objects.in_bulk([sig for _pk, sig in todo])
        mail = get_connection(fail_silently=False)
        smtp = isinstance(mail, SmtpBackend)
        # Over SMTP, the mails are filled into one composition (batch_mail); other backends (the tests'
        # in-memory outbox) get each message composed in full.
        composer = BatchComposer(update) if smtp else None
        shared = _SharedBatch(todo, self._still_on)
        send = partial(
            self._send_over,
            shared,
            update=update,
            signatures=signatures,
            root_url=root_url,
            composer=composer,
        )
        count = _connections(len(todo)) if smtp else 1
        if count == 1:
            send(mail)
        else:
            mails = [mail] + [get_connection(fail_silently=False) for _ in range(count - 1)]
            _send_in_threads(shared, send, mails, f"update-{update.pk}-mail")
        return shared.sent, shared.stopped

    def _send_over(self, shared, mail, *, update, signatures, root_url, composer):
        """One connection's part of the batch: the next mail `shared` hands out, until none is left or
        a reason to stop comes; what it sent is added to `shared.sent`."""
        sent = 0
        try:
            if not _open(shared, mail, update):
                return
            while (item := shared.next_mail()) is not None:
                self.pacer.wait()
                if shared.stopped is not None:
                    return  # another connection stopped the batch while this one waited its turn
                delivery_id, signature_id = item
                signature = signatures.get(signature_id)
                if signature is None:
                    continue  # erased since: its row went with it
                outcome = self._deliver(update, delivery_id, signature, mail, root_url, composer)
                if outcome is None:
                    continue
                sent += outcome.status == DeliveryStatus.SENT
                if outcome.status == DeliveryStatus.FAILED and not outcome.refused:
                    # The connection may be gone with the mail: a new one for the next, or stop.
                    _close(mail)
                    if not _open(shared, mail, update):
                        return
        finally:
            shared.add_sent(sent)
            _close(mail)

    def _deliver(self, update, delivery_id, signature, mail, root_url, composer=None):
        """Send one mail with its row locked, if the row is still due; None if it is not (or locked).

        Plain statements rather than the ORM's: they run once per mail, and building the ORM's queries
        cost more than the database's work (docs/performance.md, "Updates to signers"). The transaction
        does not wait for its commit to reach the disk, and on PostgreSQL takes two round trips: see
        `_MailTransaction`.
        """
        now = timezone.now()
        with _MailTransaction(delivery_id, now) as mail_transaction:
            if mail_transaction.attempts is None:
                return None
            attempts = mail_transaction.attempts + 1
            unsubscribe = unsubscribe_url(root_url, signature.pk)
            page = signer_page_url(signature, update.petition)
            data = None
            if composer is not None and mail.connection is not None:
                data = composer.message_bytes(signature.email, signature.first_name, unsubscribe, page)
            if data is not None:
                outcome = _hand_over(
                    lambda: mail.connection.sendmail(composer.from_email, [signature.email], data)
                )
            else:
                message = compose_update_message(update, signature, unsubscribe, page)
                add_unsubscribe_headers(message, unsubscribe)
                outcome = _hand_over(lambda: mail.send_messages([message]))
            sent_at = next_attempt_at = None
            if outcome.status == DeliveryStatus.SENT:
                sent_at = timezone.now()
            elif not outcome.refused and attempts < settings.PETITION_MAIL_MAX_ATTEMPTS:
                next_attempt_at = now + retry_delay(attempts)
            if outcome.refused:
                mark_undeliverable(signature.email, now)  # in the mail's transaction, before its commit
            mail_transaction.record(
                [outcome.status, attempts, sent_at, next_attempt_at, outcome.error, delivery_id]
            )
        if outcome.refused:
            logger.warning("Update %s: delivery %s refused for good", update.pk, delivery_id)
        elif outcome.status == DeliveryStatus.FAILED:
            logger.warning(
                "Update %s: delivery %s failed (%s), attempt %s",
                update.pk,
                delivery_id,
                outcome.error,
                attempts,
            )
        return outcome

    def _finish_or_wait(self, update):
        left = UpdateDelivery.objects.filter(_STILL_TO_SEND, update=update)
        if left.exists():
            self._wait(update)
            return
        now = timezone.now()
        with transaction.atomic():
            finished = PetitionUpdate.objects.filter(
                pk=update.pk, status=UpdateStatus.SENDING, sending_run=self.run
            ).update(status=UpdateStatus.SENT, sent_at=now, sending_heartbeat_at=None)
            if finished:
                log(instance=update, action=FINISHED_ACTION, data=delivery_progress(update))
        if finished:
            logger.info("Update %s: sending finished", update.pk)

    def _wait(self, update):
        """Stop this run until retries are due or the server is back: the sweeper starts the next."""
        PetitionUpdate.objects.filter(pk=update.pk, status=UpdateStatus.SENDING, sending_run=self.run).update(
            sending_heartbeat_at=None
        )


class _SharedBatch:
    """A batch's mails, handed out one at a time to the connections sending them, and what they did:
    mails sent, the first reason to stop ("stopped": cancelled or taken over; "unreachable"), the first
    error. Once a reason is set, each connection stops after its current mail.

    `still_on()` (the run's heartbeat, when it is due) is asked here, by whichever connection asks for
    the next mail.
    """

    def __init__(self, todo, still_on):
        self.still_on = still_on
        self.sent = 0
        self.stopped = None
        self.error = None
        self._todo = iter(todo)
        self._lock = threading.Lock()

    def next_mail(self):
        """The next (delivery id, signature id) to send, or None: none left, or the batch must stop."""
        with self._lock:
            if self.stopped is not None:
                return None
            if not self.still_on():
                self.stopped = "stopped"
                return None
            return next(self._todo, None)

    def stop(self, reason):
        """Stop every connection after its current mail; True for the first to ask."""
        with self._lock:
            first = self.stopped is None
            if first:
                self.stopped = reason
            return first

    def fail(self, error):
        with self._lock:
            if self.error is None:
                self.error = error
            if self.stopped is None:
                self.stopped = "error"

    def add_sent(self, count):
        with self._lock:
            self.sent += count


def _connections(mails):
    """How many SMTP connections a batch of `mails` sends over at once.

    More than one only in the worker (`_two_round_trips`: autocommit, no atomic block): each connection
    sends from a thread of its own, with a database connection of its own, which could not see rows
    written in an atomic block (a test's) that is not committed yet. Never more than there are mails.
    """
    if not _two_round_trips():
        return 1
    return max(1, min(settings.UPDATE_MAIL_CONNECTIONS, mails))


def _send_in_threads(shared, send, mails, name):
    """`send(mail)` for each of `mails` at once, a thread each; returns when all are done, raising the
    first error any of them met."""
    senders = [
        threading.Thread(target=_in_own_database_connection, args=(shared, send, mail), name=f"{name}-{n}")
        for n, mail in enumerate(mails)
    ]
    for sender in senders:
        sender.start()
    try:
        for sender in senders:
            sender.join()
    except BaseException:
        # A signal to the worker lands here: each sender stops after its current mail, not in it.
        shared.stop("stopped")
        for sender in senders:
            sender.join()
        raise
    if shared.error is not None:
        raise shared.error


def _in_own_database_connection(shared, send, mail):
    """`send(mail)` in a sender thread: any error is kept for the batch to raise (and stops the other
    connections); the thread's database connections (Django's are per thread) are closed at the end."""
    try:
        send(mail)
    except BaseException as error:  # noqa: BLE001 - kept, and raised again by the batch after the join
        shared.fail(error)
    finally:
        connections.close_all()


def _open(shared, mail, update):
    """Open the mail connection; False (and the batch stopped, "unreachable") if the server cannot be
    reached: the rows not yet sent are left as they are, for a later run."""
    try:
        mail.open()
    except Exception as error:  # noqa: BLE001 - any failure to reach the server: try later
        if shared.stop("unreachable"):
            logger.warning("Update %s: mail server unreachable (%s)", update.pk, type(error).__name__)
        return False
    return True


def _close(mail):
    with suppress(Exception):  # a connection already broken has nothing left to close
        mail.close()


def _hand_over(send):
    """Give one message to the SMTP connection (`send()` does); what became of it."""
    try:
        send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return _Outcome(
            DeliveryStatus.FAILED, f"SMTPRecipientsRefused {codes[0] if codes else ''}".strip(), permanent
        )
    except smtplib.SMTPResponseException as error:
        return _Outcome(DeliveryStatus.FAILED, f"{type(error).__name__} {error.smtp_code}")
    except Exception as error:  # noqa: BLE001 - any failure to hand over (socket, TLS, DNS) is retried
        return _Outcome(DeliveryStatus.FAILED, type(error).__name__[:100])
    return _Outcome(DeliveryStatus.SENT)


def mark_undeliverable(email, now):
    """Every signature of an address the mail server refused for good: later updates leave them out."""
    if email:
        Signature.objects.for_email(email).filter(undeliverable_at__isnull=True).update(undeliverable_at=now)


def skip_remaining(update_id):
    """A cancelled update: every row still to send is skipped (once; returns how many)."""
    with transaction.atomic():
        skipped = UpdateDelivery.objects.filter(_STILL_TO_SEND, update_id=update_id).update(
            status=DeliveryStatus.SKIPPED, next_attempt_at=None
        )
        if skipped:
            update = PetitionUpdate.objects.get(pk=update_id)
            log(instance=update, action=STOPPED_ACTION, data={"count": skipped})
    return skipped


def resume_stuck_updates(now=None):
    """The sweeper: a new run for each update still sending whose run stopped or died and has work due.

    A run that waits (its heartbeat cleared) gets a new one once a retry is due or rows are queued;
    a run silent for UPDATE_MAIL_STUCK_SECONDS is taken to be dead. Returns the updates resumed.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.UPDATE_MAIL_STUCK_SECONDS)
    resumed = 0
    candidates = PetitionUpdate.objects.filter(status=UpdateStatus.SENDING).filter(
        Q(sending_heartbeat_at__isnull=True) | Q(sending_heartbeat_at__lte=stale)
    )
    for update_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            update = (
                PetitionUpdate.objects.select_for_update(skip_locked=True)
                .filter(pk=update_id, status=UpdateStatus.SENDING)
                .filter(Q(sending_heartbeat_at__isnull=True) | Q(sending_heartbeat_at__lte=stale))
                .first()
            )
            if update is None:
                continue
            rows = UpdateDelivery.objects.filter(update=update)
            due = rows.filter(
                Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
            ).exists()
            waiting = rows.filter(status=DeliveryStatus.FAILED, next_attempt_at__gt=now).exists()
            if not due and waiting:
                continue  # retries not due yet
            update.sending_run += 1
            update.sending_heartbeat_at = now
            update.save(update_fields=["sending_run", "sending_heartbeat_at"])
            _queue_batch(update.pk, update.sending_run)
            resumed += 1
    return resumed


def start_due_updates(now=None):
    """The scheduled job's other half: start every approved update whose send time has come."""
    now = now or timezone.now()
    due = PetitionUpdate.objects.filter(status=UpdateStatus.APPROVED).filter(
        Q(send_after__isnull=True) | Q(send_after__lte=now)
    )
    started = 0
    for update_id in due.values_list("pk", flat=True):
        try:
            start_sending(update_id, now=now)
        except CannotSend:
            continue  # started or cancelled by someone else meanwhile
        started += 1
    return started
