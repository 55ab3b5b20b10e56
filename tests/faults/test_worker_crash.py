"""A task worker killed (SIGKILL: no clean-up of any kind) in the middle of sending a confirmation mail.

django-tasks' database backend leaves the killed task's row RUNNING for ever and never runs it again.
The mail is not lost because the signature is its own outbox: its mail status is still "queued", and
the sweeper (`retry_confirmation_emails`, run by cron) queues it again once it has waited
PETITION_MAIL_STUCK_SECONDS. Sending locks the signature and checks that status, so no run of any task,
old or new, mails one confirmation twice.
"""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from petitions.models import MailStatus, Signature
from tests.petitions.conftest import post_form, sign_data

from .services import manage, run_worker_batch, service_env, wait_until, worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def lock_released(signature_id):
    """True once nobody holds the signature's row lock (PostgreSQL ends a dead client's transaction)."""
    try:
        with transaction.atomic():
            list(Signature.objects.select_for_update(nowait=True).filter(pk=signature_id))
    except DatabaseError:
        return False
    return True


def test_a_worker_killed_mid_send_leaves_the_mail_to_the_sweeper_and_it_is_sent_exactly_once(
    petition, client, smtp_sink, smtp_port, tmp_path
):
    response = post_form(
        client, reverse("petitions:sign", args=[petition.pk]), sign_data(email="jane@example.org")
    )
    assert response.status_code == 302
    signature = Signature.objects.get(petition=petition)
    task = DBTaskResult.objects.get(task_path="petitions.tasks.send_queued_confirmation_emails")
    # The sweeper may take over a queued mail at once, instead of after a quarter of an hour.
    env = service_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", PETITION_MAIL_STUCK_SECONDS="0")
    smtp_sink.hold()
    smtp_sink.start()

    with worker(env, tmp_path / "worker.log") as process:
        wait_until(smtp_sink.sender_held.is_set, timeout=30, what="the worker to send", process=process)
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
        process.kill()
        process.wait(timeout=10)
    smtp_sink.release()

    wait_until(lambda: lock_released(signature.pk), timeout=20, what="the killed worker's transaction to end")
    task.refresh_from_db()
    signature.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert (signature.mail_status, signature.mail_attempts) == (MailStatus.QUEUED, 0)
    assert smtp_sink.recipients() == []

    assert "Queued 1 " in manage("retry_confirmation_emails", env=env)
    run_worker_batch(env)

    signature.refresh_from_db()
    assert signature.mail_status == MailStatus.SENT
    assert smtp_sink.recipients() == ["jane@example.org"]

    # The killed task itself run again, as an operator putting it back in the queue would: it finds the
    # mail sent and sends nothing. Nor does the sweeper find anything left to do.
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY)
    run_worker_batch(env)
    task.refresh_from_db()
    # It sends what is queued, and nothing is.
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, 0)
    assert "Queued 0 " in manage("retry_confirmation_emails", env=env)
    run_worker_batch(env)
    assert smtp_sink.recipients() == ["jane@example.org"]
