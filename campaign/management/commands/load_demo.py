"""`manage.py load_demo`: build the demo Wild West Web site.

Safe to run again: it adds only what is missing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from campaign.demo import load_demo


class Command(BaseCommand):
    help = (
        "Build the demo campaign site (pages, figures, petition, settings, workflow, admin account). "
        "With DEBUG off the admin account gets a random password, shown once."
    )

    def handle(self, *args, **options):
        report = load_demo()
        if report.created:
            self.stdout.write("Created: " + "; ".join(report.created) + ".")
        else:
            self.stdout.write("The demo content is already in place: nothing to add.")
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
        username = report.admin_username
        if report.admin_created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Log in at {admin_url} as username “{username}”, password “{report.admin_password}”."
                )
            )
            if not settings.DEBUG:
                self.stdout.write(
                    "DEBUG is off, so this password was made at random and is shown only this once: keep it "
                    f"somewhere safe, or set your own with `manage.py changepassword {username}`."
                )
        else:
            self.stdout.write(
                f"The admin account “{username}” exists already; its password was not changed. "
                f"Log in at {admin_url}"
            )
        if report.admin_password_published:
            self.stderr.write(
                self.style.WARNING(
                    f"The admin account “{username}” still has the demo password published in the README, "
                    f"and DEBUG is off. Change it now: `manage.py changepassword {username}`."
                )
            )
