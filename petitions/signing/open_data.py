"""The petition's open data and public record: the signing history as CSV and JSON, and the integrity
report ("Are these numbers real?").

All of it comes from counters (`petitions.models.history`), cached in the shared cache and by browsers
and CDNs for PETITION_HISTORY_CACHE_SECONDS. The history is open data only for petitions anyone may
read: a private petition's (a password, signed-in users, some groups) answers 404 to everyone, as does
an unpublished one, so that nothing about it leaks. The integrity report answers as the page does.
"""

import csv
import io
from datetime import UTC

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_GET

from petitions.models import PetitionPage
from petitions.models.history import (
    ATTRIBUTION,
    LICENCE_NAME,
    LICENCE_URL,
    hourly_history,
    petition_record,
    region_name,
)
from petitions.signing.facts import signing_facts
from petitions.signing.restrictions import petition_endpoint

CSV_COLUMNS = ["hour_start_utc", "region_code", "region_name", "confirmed_signatures", "licence"]


def _open_petition(petition_id):
    """The petition's facts if its history is open data (published, no view restrictions); else 404."""
    facts = signing_facts(petition_id)
    if facts is None or not facts.live or facts.restricted:
        raise Http404("No such petition")
    return facts


def _hour_text(hour):
    return hour.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cacheable(response):
    patch_cache_control(response, public=True, max_age=settings.PETITION_HISTORY_CACHE_SECONDS)
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


@require_GET
def history_csv(request, petition_id):
    """One row per hour and region with confirmed signatures; the licence in a column of every row, so
    the first line is the header and a spreadsheet or a CSV reader opens the file with no options."""
    facts = _open_petition(petition_id)
    licence = f"{LICENCE_NAME}, {LICENCE_URL}, {ATTRIBUTION}"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hour, region, n in hourly_history(facts.pk):
        writer.writerow([_hour_text(hour), region, region_name(region), n, licence])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="petition-{facts.pk}-signing-history.csv"'
    return _cacheable(response)


@require_GET
def history_json(request, petition_id):
    facts = _open_petition(petition_id)
    hours = hourly_history(facts.pk)
    data = {
        "petition": facts.pk,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL, "attribution": ATTRIBUTION},
        "description": (
            "Confirmed signatures that count today, by the hour (UTC) and region they were confirmed in. "
            "Signatures later invalidated or erased are taken off the hour they were confirmed."
        ),
        "total": sum(n for _hour, _region, n in hours),
        "hours": [
            {
                "hour_start_utc": _hour_text(hour),
                "region_code": region,
                "region_name": region_name(region),
                "count": n,
            }
            for hour, region, n in hours
        ],
    }
    return _cacheable(JsonResponse(data))


@require_GET
@petition_endpoint
def integrity_report(request, facts):
    petition = get_object_or_404(PetitionPage.objects.live(), pk=facts.pk)
    context = {
        "petition": petition,
        "page": petition,
        "record": petition_record(petition.pk),
        "open_data": not facts.restricted,
        "retention_days": settings.SIGNATURE_UNCONFIRMED_RETENTION_DAYS,
        "anonymise_days": settings.PETITION_ANONYMISE_AFTER_DAYS,
    }
    response = render(request, "petitions/integrity_report.html", context)
    if facts.restricted:
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, public=True, max_age=settings.PETITION_HISTORY_CACHE_SECONDS)
    return response
