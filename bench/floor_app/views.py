"""The floor's views: the least a sign view and a page view can do (see the package docstring)."""

from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.shortcuts import redirect, render
from django.utils import timezone

from petitions.abuse import hash_client
from petitions.forms import SignatureForm
from petitions.regions import region_for_postcode

# What the form needs to know of the petition: its id (for field ids) and its consent wordings.
PETITION = SimpleNamespace(
    pk=settings.FLOOR_PETITION_ID,
    contact_consent_wording="Contact me",
    show_publicly_wording="Show my name",
    confirmation_required=True,
)

INSERT_SIGNATURE = """
INSERT INTO petitions_signature (
    petition_id, first_name, last_name, email, postcode, region, created_at, confirmed_at,
    contact_consent, contact_consent_wording_id, show_publicly, show_publicly_wording_id,
    privacy_notice_version, invalidated_at, invalidation_reason, anonymised_at, ip_hash,
    mail_status, mail_attempts, mail_queued_at, mail_next_attempt_at, mail_sent_at, mail_last_error
) VALUES (
    %s, %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s, %s,
    %s, NULL, '', NULL, %s, 'queued', 0, %s, NULL, NULL, ''
)
ON CONFLICT DO NOTHING RETURNING id
"""


def sign(request):
    form = SignatureForm(request.POST or None, petition=PETITION)
    if request.method != "POST" or not form.is_valid():
        return render(request, "sign.html", {"form": form})
    data = form.cleaned_data
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_SIGNATURE,
            [
                settings.FLOOR_PETITION_ID,
                data["first_name"],
                data["last_name"],
                data["email"],
                data["postcode"],
                region_for_postcode(data["postcode"]),
                now,
                data["contact_consent"],
                settings.FLOOR_CONTACT_WORDING_ID,
                data["show_publicly"],
                settings.FLOOR_SHOW_WORDING_ID,
                settings.FLOOR_PRIVACY_NOTICE_VERSION,
                hash_client(request.META.get("REMOTE_ADDR", "")),
                now,
            ],
        )
    return redirect("thanks")


def page(request):
    paragraphs = [
        f"Paragraph {n} of a small page that stands in for a cached campaign page." for n in range(1, 6)
    ]
    return render(request, "page.html", {"title": "Floor page", "paragraphs": paragraphs})
