"""`manage.py load_demo`: build the demo Wild West Web site.

Safe to run again: it adds only what is missing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from campaign.demo import DEMO_ADMIN_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Build the demo campaign site (pages, figures, petition, settings, workflow, admin account)."

    def handle(self, *args, **options):
        report = load_demo()
        if report.created:
            self.stdout.write("Created: " + "; ".join(report.created) + ".")
        else:
            self.stdout.write("The demo content is already in place: nothing to add.")
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
        if report.admin_created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Log in at {admin_url} as username “{report.admin_username}”, "
                    f"password “{DEMO_ADMIN_PASSWORD}”."
                )
            )
        else:
            self.stdout.write(
                f"The admin account “{report.admin_username}” exists already; its password was not changed. "
                f"Log in at {admin_url}"
            )
