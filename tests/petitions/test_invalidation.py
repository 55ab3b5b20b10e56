"""Staff take bot signatures out of the count by the listing's filters, with a dry run and audit trail;
and restore them."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from petitions.models import Signature
from petitions.models.counts import get_counts
from petitions.signing.signatures import confirm_signature
from petitions.staff.filters import filter_signatures
from petitions.staff.invalidation import count_to_invalidate, invalidate_signatures, restore_signatures
from tests.html import soup, text

from .factories import PetitionPageFactory, SignatureFactory


def by_filters(**params):
    """The signatures the signatories listing shows with these filters."""
    query = QueryDict(mutable=True)
    query.update(params)
    return filter_signatures(query)


@pytest.fixture
def signatures(petition):
    """Five confirmed people, three confirmed bots at one domain, one unconfirmed bot."""
    people = [
        SignatureFactory(petition=petition, email=f"person{n}@example.org", ip_hash="a" * 64)
        for n in range(5)
    ]
    bots = [
        SignatureFactory(petition=petition, email=f"bot{n}@spam.test", ip_hash="b" * 64) for n in range(4)
    ]
    for signature in people + bots[:3]:
        confirm_signature(signature.pk)
    return people, bots


def test_invalidating_by_email_domain_takes_them_out_of_the_count(petition, signatures, superuser):
    result = invalidate_signatures(by_filters(email_domain="spam.test"), "Bot wave", superuser)

    assert result.total == 4
    assert result.by_petition == {petition.pk: 4}
    assert get_counts(petition).total == 5
    bot = Signature.objects.get(email="bot0@spam.test")
    assert (bot.invalidation_reason, bot.invalidated_by) == ("Bot wave", superuser)


def test_restoring_puts_confirmed_signatures_back_in_the_count(petition, signatures, superuser):
    criteria = by_filters(email_domain="spam.test")
    invalidate_signatures(criteria, "Bot wave", superuser)

    result = restore_signatures(criteria, superuser)

    assert result.total == 4
    assert get_counts(petition).total == 8
    assert not Signature.objects.invalidated().exists()


def test_invalidation_by_client_hash_and_signing_dates(petition, signatures, superuser):
    people, _bots = signatures
    Signature.objects.filter(pk=people[0].pk).update(created_at=timezone.now() - timedelta(days=3))
    today = timezone.localdate()
    criteria = by_filters(ip_hash="a" * 64, signed_from=str(today - timedelta(days=1)), signed_to=str(today))

    assert count_to_invalidate(criteria) == (4, 4)
    assert invalidate_signatures(criteria, "Same client", superuser).total == 4
    assert Signature.objects.get(pk=people[0].pk).invalidated_at is None


def test_invalidation_limited_to_one_petition(petition, plain_home_page, signatures, superuser):
    other = PetitionPageFactory(parent=plain_home_page)
    confirm_signature(SignatureFactory(petition=other, email="bot9@spam.test").pk)

    invalidate_signatures(by_filters(petition=str(other.pk), email_domain="spam.test"), "Bots", superuser)

    assert get_counts(other).total == 0
    assert get_counts(petition).total == 8


def test_invalidating_twice_does_not_count_down_twice(petition, signatures, superuser):
    criteria = by_filters(email_domain="spam.test")
    invalidate_signatures(criteria, "Bots", superuser)

    assert invalidate_signatures(criteria, "Bots again", superuser).total == 0
    assert get_counts(petition).total == 5


def test_invalidated_unconfirmed_signature_does_not_count_when_confirmed_later(
    petition, signatures, superuser
):
    invalidate_signatures(by_filters(email_domain="spam.test"), "Bots", superuser)

    confirm_signature(Signature.objects.get(email="bot3@spam.test").pk)

    assert get_counts(petition).total == 5


def test_invalidation_needs_a_reason(signatures, superuser):
    with pytest.raises(ValueError, match="Give a reason"):
        invalidate_signatures(by_filters(email_domain="spam.test"), "  ", superuser)
    assert not Signature.objects.invalidated().exists()


def test_each_invalidation_is_in_the_petitions_audit_log_without_personal_data(
    client, petition, signatures, superuser
):
    client.force_login(superuser)
    client.post(
        invalidate_url(email_domain="spam.test"),
        {"action": "invalidate", "category": "rate-limit", "reason": "Bot wave", "confirm": "1"},
    )

    entry = PageLogEntry.objects.get(page=petition, action="petitions.invalidate_signatures")
    assert entry.user == superuser
    assert entry.data["count"] == 4
    assert entry.data["reason"] == "Bot wave"
    assert entry.data["email_domain"] == "spam.test"
    assert "@" not in str(entry.data)
    assert entry.message == "Invalidated 4 signatures. Reason: Bot wave"
    assert "bot0" not in str(entry.data)


def invalidate_url(**filters):
    """The invalidation screen as the signatories listing links to it, with its filters."""
    query = QueryDict(mutable=True)
    query.update(filters)
    return f"{reverse('petitions_admin:invalidate')}?{query.urlencode()}"


def test_the_listing_links_to_invalidating_every_row_its_filters_show(client, signatures, campaign_staff):
    client.force_login(campaign_staff)

    listing = client.get(reverse("signatories:index"), {"email_domain": "spam.test", "p": "2"})

    assert invalidate_url(email_domain="spam.test") in listing.content.decode()


def test_campaign_staff_see_a_dry_run_before_invalidating(client, petition, signatures, campaign_staff):
    client.force_login(campaign_staff)
    url = invalidate_url(email_domain="spam.test")
    form = {"action": "invalidate", "category": "rate-limit", "reason": "Bot wave"}

    preview = client.post(url, form)

    assert preview.status_code == 200
    assert "4 valid signatures match, of which 3 are confirmed" in text(soup(preview))
    assert not Signature.objects.invalidated().exists()

    done = client.post(url, {**form, "confirm": "1"})

    assert done.status_code == 302
    assert Signature.objects.invalidated().count() == 4
    assert get_counts(petition).total == 5
    entry = PageLogEntry.objects.get(page=petition, action="petitions.invalidate_signatures")
    assert entry.data["email_domain"] == "spam.test"


def test_admin_form_explains_missing_filters_bad_filters_and_reason(client, signatures, campaign_staff):
    client.force_login(campaign_staff)

    no_filters = client.post(invalidate_url(), {"action": "invalidate", "reason": "Bots"})
    bad_filter = client.post(
        invalidate_url(signed_from="not a date"), {"action": "invalidate", "reason": "Bots"}
    )
    no_reason = client.post(
        invalidate_url(email_domain="spam.test"), {"action": "invalidate", "confirm": "1"}
    )

    assert "Choose at least one filter" in no_filters.content.decode()
    assert "Invalid filters" in bad_filter.content.decode()
    assert "Give a reason for invalidating these signatures." in no_reason.content.decode()
    assert {no_filters.status_code, bad_filter.status_code, no_reason.status_code} == {200}
    assert not Signature.objects.invalidated().exists()


def test_staff_restore_through_the_admin(client, petition, signatures, campaign_staff, superuser):
    invalidate_signatures(by_filters(email_domain="spam.test"), "Bots", superuser)
    client.force_login(campaign_staff)

    client.post(invalidate_url(email_domain="spam.test"), {"action": "restore", "confirm": "1"})

    assert not Signature.objects.invalidated().exists()
    assert get_counts(petition).total == 8


def test_editors_cannot_invalidate(client, signatures, editor):
    client.force_login(editor)

    response = client.post(
        invalidate_url(email_domain="spam.test"),
        {"action": "invalidate", "category": "rate-limit", "reason": "Bots", "confirm": "1"},
    )

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not Signature.objects.invalidated().exists()


def test_menu_shows_the_screens_only_to_those_allowed(client, campaign_staff, editor):
    client.force_login(campaign_staff)
    staff_home = client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(editor)
    editor_home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("petitions_admin:invalidate") in staff_home
    assert reverse("petitions_admin:erase") not in staff_home
    assert reverse("petitions_admin:invalidate") not in editor_home
