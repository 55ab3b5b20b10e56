"""The floor's views: the least a sign view and a page view can do (see the package docstring)."""

from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from petitions.regions import region_for_postcode
from petitions.sign_form.form import SignatureForm
from petitions.signing.rate_limit import hash_client

# What the form needs to know of the petition: its id (for field ids) and its consent wordings.
PETITION = SimpleNamespace(
    pk=settings.FLOOR_PETITION_ID,
    contact_consent_wording="Contact me",
    show_publicly_wording="Show my name",
    confirmation_required=True,
)


def sign(request):
    form = SignatureForm(request.POST or None, petition=PETITION)
    if request.method != "POST" or not form.is_valid():
        return render(request, "sign.html", {"form": form})
    data = form.cleaned_data
    now = timezone.now()
    row = {
        "petition_id": settings.FLOOR_PETITION_ID,
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "email": data["email"],
        "postcode": data["postcode"],
        "region": region_for_postcode(data["postcode"]),
        "created_at": now,
        "contact_consent": data["contact_consent"],
        "contact_consent_wording_id": settings.FLOOR_CONTACT_WORDING_ID,
        "show_publicly": data["show_publicly"],
        "show_publicly_wording_id": settings.FLOOR_SHOW_WORDING_ID,
        "privacy_notice_version": settings.FLOOR_PRIVACY_NOTICE_VERSION,
        "ip_hash": hash_client(request.META.get("REMOTE_ADDR", "")),
        "mail_status": "queued",
        "mail_queued_at": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(settings.FLOOR_INSERT_SIGNATURE, row)
    return redirect("thanks")


def count(request):
    """The open letter's count as JSON: one sum over its counter rows, no cache in front."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(count), 0) FROM petitions_signaturecount WHERE petition_id = %s",
            [settings.FLOOR_PETITION_ID],
        )
        (total,) = cursor.fetchone()
    return JsonResponse({"petition": settings.FLOOR_PETITION_ID, "count": total})


def page(request):
    paragraphs = [
        f"Paragraph {n} of a small page that stands in for a cached campaign page." for n in range(1, 6)
    ]
    return render(request, "page.html", {"title": "Floor page", "paragraphs": paragraphs})
