"""The delivery pack's task, run by the django-tasks worker (`manage.py db_worker`); its argument is the
pack's id, never personal data."""

from django_tasks import task

from petitions.delivery_pack.generation import generate_pack


@task()
def generate_delivery_pack(pack_id):
    """Make one delivery pack; a second run of the same pack does nothing."""
    return generate_pack(pack_id)
