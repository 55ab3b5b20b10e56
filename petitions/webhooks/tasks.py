"""The sending task run by the worker (`db_worker`), asking for it on commit, and the sweeper.

The task's argument is an endpoint's id, never personal data. django-tasks' database backend neither
retries a failed task nor recovers one from a dead worker, so the deliveries are the outbox: the
sweeper (`manage.py retry_webhook_deliveries`, from cron every few minutes) asks again for every
endpoint with a delivery due and no live claim.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django_tasks import task

from petitions.webhooks.sending import due_endpoint_ids, send_due

logger = logging.getLogger(__name__)

# Runs of send_due one task makes at most while deliveries keep arriving.
_RUNS_PER_TASK = 5


def _waiting_key(endpoint_id):
    return f"petitions:webhook-sending-waiting:{endpoint_id}"


def request_sending(endpoint_ids, run_after=None):
    """Have the worker send these endpoints' deliveries (call once they are committed).

    As for the confirmation mail, while a task for an endpoint waits (a note in the shared cache,
    PETITION_MAIL_COALESCE_SECONDS at most, off without the shared Redis), later events join it.
    """
    seconds = settings.PETITION_MAIL_COALESCE_SECONDS
    for endpoint_id in endpoint_ids:
        if (
            run_after is None
            and seconds > 0
            and not cache.add(_waiting_key(endpoint_id), True, timeout=seconds)
        ):
            continue
        try:
            runner = (
                send_webhook_deliveries.using(run_after=run_after) if run_after else send_webhook_deliveries
            )
            runner.enqueue(endpoint_id)
        except DatabaseError as error:
            cache.delete(_waiting_key(endpoint_id))
            # The deliveries stay unsent, for the sweeper.
            logger.error("Could not queue a webhook sending task (%s)", type(error).__name__)


@task()
def send_webhook_deliveries(endpoint_id):
    """Send one endpoint's due deliveries in order; returns how many were sent."""
    cache.delete(_waiting_key(endpoint_id))
    sent = 0
    for _ in range(_RUNS_PER_TASK):
        result = send_due(endpoint_id)
        sent += result.sent
        if result.retry_at is not None:
            request_sending([endpoint_id], run_after=result.retry_at)
        if not result.again:
            break
    else:
        request_sending([endpoint_id])
    return sent


def requeue_webhook_deliveries(now=None):
    """The sweeper: ask for sending wherever a delivery is due and no worker holds the endpoint."""
    endpoint_ids = due_endpoint_ids(now)
    request_sending(endpoint_ids)
    if endpoint_ids:
        logger.info("Asked again for webhook sending to %s endpoints", len(endpoint_ids))
    return len(endpoint_ids)
