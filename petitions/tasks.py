"""Background work for petitions, run by the django-tasks worker (`manage.py db_worker`).

Task arguments are ids only, never personal data: they are stored in the task table. The
periodic jobs (the mail sweeper, retention, anonymisation) are also management commands, which
cron calls; see docs/petitions.md.
"""

from django_tasks import task

from petitions import counts, mail, personal_data


@task()
def send_queued_confirmation_emails():
    return mail.send_queued_confirmation_emails()


@task()
def retry_confirmation_emails():
    return mail.requeue_confirmation_emails()


@task()
def delete_unconfirmed_signatures():
    return personal_data.delete_unconfirmed_signatures()


@task()
def anonymise_closed_petitions():
    # JSON keys are strings: the task result is stored as JSON.
    return {str(k): v for k, v in personal_data.anonymise_closed_petitions().items()}


@task()
def recount_signatures():
    return {str(k): v for k, v in counts.recount_signatures().items()}
