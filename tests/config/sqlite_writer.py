"""Run as a script by test_sqlite_writers.py: requests that write to a SQLite file while the worker writes.

`python -m tests.config.sqlite_writer N` puts a petition on a fresh site, then for each of N visitors
signs it through the real sign view (which queues a confirmation mail for the worker) and publishes a
new revision of the page, as an editor's autosave and publish would. It prints one line per request
that did not answer as expected, and exits non-zero if there was one.
"""

import sys

import django


def main(visitors):
    django.setup()
    from django.test import Client
    from django.urls import reverse
    from wagtail.models import Locale, Page, Site

    from tests.petitions.conftest import post_form, sign_data
    from tests.petitions.factories import PetitionPageFactory

    Locale.objects.get_or_create(language_code="en-gb")
    root = Page.get_first_root_node()
    home = root.add_child(instance=Page(title="Home", slug="sqlite-home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    petition = PetitionPageFactory(parent=home)
    client = Client()
    failures = 0
    for n in range(visitors):
        response = post_form(
            client,
            reverse("petitions:sign", args=[petition.pk]),
            sign_data(email=f"visitor{n}@example.org"),
            REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}",
        )
        if response.status_code != 302:
            failures += 1
            print(f"visitor {n}: {response.status_code}", flush=True)
        petition.title = f"Open letter, edit {n}"
        petition.save_revision().publish()
    return failures


if __name__ == "__main__":
    sys.exit(1 if main(int(sys.argv[1])) else 0)
