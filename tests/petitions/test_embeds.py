"""Partner sites: the petition in a partner's frame, framable only by the partner's listed origins,
signing with no cookies at all, and giving each signature the partner's source code."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import PageViewRestriction

from petitions.models import EmbedPartner, Signature
from petitions.models.counts import recount_signatures
from petitions.models.embeds import normalise_origin, normalise_origins
from tests.petitions.factories import SignatureFactory

from .conftest import post_form, sign_data

TOKEN_IN_FORM = re.compile(r'name="form_token" value="([^"]*)"')
FORM_ACTION = re.compile(r'<form id="[^"]*form" class="sign-form" method="post" action="([^"]*)"')


@pytest.fixture
def partner(petition):
    return EmbedPartner.objects.create(
        name="Barnardo's",
        petition=petition,
        source_code="partner-barnardos",
        allowed_origins="https://www.barnardos.org.uk\nhttps://campaigns.barnardos.org.uk:8443",
    )


def embed_url(partner):
    return reverse("petitions:embed", args=[partner.petition_id, partner.source_code])


def frame_ancestors(response):
    policy = response["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))
    return directive.split()[1:]


# The partner's addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.barnardos.org.uk", "https://www.barnardos.org.uk"),
        ("  HTTPS://WWW.Barnardos.org.uk/  ", "https://www.barnardos.org.uk"),
        ("https://www.barnardos.org.uk:443", "https://www.barnardos.org.uk"),
        ("https://campaigns.example.org:8443", "https://campaigns.example.org:8443"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://[2001:db8::1]", "https://[2001:db8::1]"),
    ],
)
def test_a_partner_address_is_kept_as_the_origin_browsers_report(typed, origin):
    assert normalise_origin(typed) == origin


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("http://www.barnardos.org.uk", "must use https://"),
        ("www.barnardos.org.uk", "start the address with https://"),
        ("https://www.barnardos.org.uk/campaigns/letter", "without the page's path"),
        ("https://www.barnardos.org.uk/?a=1", "without the page's path"),
        ("https://*.barnardos.org.uk", "wildcards"),
        ("https://user:pw@barnardos.org.uk", "user name or password"),
        ("https://intranet", "full address"),
        ("https://bad_host.example.org", "not a valid web address"),
        ("javascript:alert(1)", "start the address with https://"),
        ("https://a.example.org;script-src", "not a valid web address"),
        ("http://127.0.0.1:8000", "must use https://"),
    ],
)
def test_an_address_that_is_not_a_site_origin_is_refused_with_a_plain_reason(settings, typed, message):
    settings.PETITION_EMBED_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError) as refused:
        normalise_origin(typed)
    assert message in refused.value.messages[0]


def test_plain_http_is_allowed_only_for_this_computer_and_only_when_the_setting_says_so(settings):
    settings.PETITION_EMBED_ALLOW_HTTP_LOOPBACK = True
    assert normalise_origin("http://127.0.0.2:8123") == "http://127.0.0.2:8123"
    assert normalise_origin("http://localhost:80") == "http://localhost"
    with pytest.raises(ValidationError):
        normalise_origin("http://www.barnardos.org.uk")


def test_every_wrong_line_is_reported_at_once_and_repeats_are_dropped():
    assert normalise_origins("https://a.example.org\nhttps://A.example.org/, https://b.example.org") == [
        "https://a.example.org",
        "https://b.example.org",
    ]
    with pytest.raises(ValidationError) as refused:
        normalise_origins("http://a.example.org\nhttps://ok.example.org\nhttps://b.example.org/page")
    assert len(refused.value.messages) == 2
    with pytest.raises(ValidationError, match="at least one"):
        normalise_origins("  \n ")


@pytest.mark.django_db
def test_the_model_stores_the_addresses_normalised_and_checks_the_source_code(petition):
    partner = EmbedPartner(
        name="NSPCC schools",
        petition=petition,
        source_code="partner-schools",
        allowed_origins="HTTPS://X.ORG/",
    )
    partner.full_clean()
    assert partner.allowed_origins == "https://x.org"
    partner.source_code = "Partner Schools"
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "lowercase letters, digits and single hyphens" in str(refused.value)


# Framing: only the partner's origins, only the embed -----------------------------------------------


@pytest.mark.django_db
def test_the_embed_may_be_framed_by_the_partners_origins_only(client, partner):
    response = client.get(embed_url(partner))
    assert response.status_code == 200
    assert frame_ancestors(response) == [
        "https://www.barnardos.org.uk",
        "https://campaigns.barnardos.org.uk:8443",
    ]
    assert "X-Frame-Options" not in response
    # No site header or footer in the frame: the count and the form.
    html = response.content.decode()
    assert 'class="site-header' not in html and "<footer" not in html
    assert "data-petition-count" in html
    assert FORM_ACTION.search(html).group(1) == embed_url(partner)


@pytest.mark.django_db
def test_each_partner_gets_its_own_frame_ancestors(client, partner, petition):
    other = EmbedPartner.objects.create(
        name="Local council",
        petition=petition,
        source_code="partner-council",
        allowed_origins="https://council.gov.uk",
    )
    assert frame_ancestors(client.get(embed_url(other))) == ["https://council.gov.uk"]
    assert frame_ancestors(client.get(embed_url(partner)))[0] == "https://www.barnardos.org.uk"


@pytest.mark.django_db
def test_every_other_page_keeps_frame_ancestors_none(client, partner, petition):
    for url in (
        petition.url,
        reverse("petitions:check_email", args=[petition.pk]),
        reverse("petitions:count", args=[petition.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY", url


@pytest.mark.django_db
def test_pages_answered_in_turn_with_embeds_keep_their_own_policy(client, partner, petition, settings):
    """The CSP middleware keeps the header of plain responses; an embed's own must never leak into it."""
    settings.DEBUG = False
    other = EmbedPartner.objects.create(
        name="Local council",
        petition=petition,
        source_code="partner-council",
        allowed_origins="https://council.gov.uk",
    )
    for _ in range(2):
        assert frame_ancestors(client.get(embed_url(partner)))[0] == "https://www.barnardos.org.uk"
        assert frame_ancestors(client.get(petition.url)) == ["'none'"]
        assert frame_ancestors(client.get(embed_url(other))) == ["https://council.gov.uk"]
        assert frame_ancestors(client.get(reverse("petitions:count", args=[petition.pk]))) == ["'none'"]


@pytest.mark.django_db
def test_an_unknown_or_inactive_partner_or_another_petitions_partner_is_not_found(client, partner, petition):
    assert client.get(reverse("petitions:embed", args=[petition.pk, "partner-unknown"])).status_code == 404
    assert (
        client.get(reverse("petitions:embed", args=[petition.pk + 1000, partner.source_code])).status_code
        == 404
    )
    partner.active = False
    partner.save()
    assert client.get(embed_url(partner)).status_code == 404
    assert post_form(client, embed_url(partner), sign_data()).status_code == 404
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_a_private_petition_is_not_shown_in_a_partners_frame(client, partner, petition):
    PageViewRestriction.objects.create(
        page=petition,
        restriction_type=PageViewRestriction.PASSWORD,
        password="x",  # noqa: S106 - a test page password
    )
    assert client.get(embed_url(partner)).status_code == 404


@pytest.mark.django_db
def test_the_embed_is_never_kept_by_a_shared_cache_and_sets_no_cookie(client, partner):
    response = client.get(embed_url(partner))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.cookies == {}
    assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.django_db
def test_the_count_in_the_frame_follows_confirmed_signatures(client, partner, petition):
    SignatureFactory.create_batch(3, petition=petition, confirmed_at=timezone.now())
    recount_signatures([petition.pk])
    assert "3</strong>" in client.get(embed_url(partner)).content.decode()


# Signing in the frame, without cookies -------------------------------------------------------------


def embed_form(client, partner):
    """The embed page's form token, as a browser in the frame would send it back."""
    page = client.get(embed_url(partner))
    return TOKEN_IN_FORM.search(page.content.decode()).group(1)


@pytest.mark.django_db
def test_signing_in_the_frame_with_no_cookies_gives_the_signature_the_partners_code(client, partner):
    token = embed_form(client, partner)
    assert client.cookies == {}  # the frame's GET set none
    response = post_form(
        client,
        embed_url(partner),
        # Whatever the form's hidden field says, the partner's code is kept.
        sign_data(form_token=token, source="whatsapp-share"),
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "petitions:embed_check_email", args=[partner.petition_id, partner.source_code]
    )
    assert frame_ancestors(response)[0] == "https://www.barnardos.org.uk"
    assert response.cookies == {}
    signature = Signature.objects.get()
    assert signature.source == "partner-barnardos"
    assert signature.confirmed_at is None

    done = client.get(response["Location"])
    assert done.status_code == 200
    assert "Check your email" in done.content.decode()
    # In the frame, "sign again" is the frame's own form, and there is no share panel to leave it by.
    done_soup = BeautifulSoup(done.content, "html.parser")
    assert done_soup.find("a", string="sign again")["href"] == embed_url(partner)
    assert done_soup.select(".share-panel") == []
    assert frame_ancestors(done) == [
        "https://www.barnardos.org.uk",
        "https://campaigns.barnardos.org.uk:8443",
    ]
    assert "X-Frame-Options" not in done
    assert done.cookies == {}


@pytest.mark.django_db
def test_the_letters_own_form_still_needs_its_csrf_token(partner, petition):
    strict = Client(enforce_csrf_checks=True)
    response = post_form(strict, reverse("petitions:sign", args=[petition.pk]), sign_data())
    assert response.status_code == 403
    # The frame's form needs none: its signed form token stands in.
    token = embed_form(strict, partner)
    assert post_form(strict, embed_url(partner), sign_data(form_token=token)).status_code == 302
    assert Signature.objects.get().source == "partner-barnardos"


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "", "forged", "1700000000.abcdefabcdefabcd.:forged-signature"])
def test_a_forged_post_without_a_valid_form_token_is_refused(client, partner, token):
    response = post_form(client, embed_url(partner), sign_data(form_token=token))
    assert response.status_code == 200
    assert "Something went wrong with the form" in response.content.decode()
    # Shown again in the frame, with a fresh token to press again with.
    assert frame_ancestors(response)[0] == "https://www.barnardos.org.uk"
    assert TOKEN_IN_FORM.search(response.content.decode())
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_an_expired_form_token_is_refused(client, partner, settings):
    settings.PETITION_FORM_MAX_AGE_SECONDS = 60
    with freeze_time(timezone.now() - timedelta(minutes=5)):
        token = embed_form(client, partner)
    response = post_form(client, embed_url(partner), sign_data(form_token=token))
    assert "Something went wrong with the form" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_a_replayed_form_token_signs_no_one_else(client, partner):
    token = embed_form(client, partner)
    assert post_form(client, embed_url(partner), sign_data(form_token=token)).status_code == 302
    # The same form again (a double click) changes nothing and still ends on "check your email"...
    assert post_form(client, embed_url(partner), sign_data(form_token=token)).status_code == 302
    # ...but the token cannot carry another person's signature.
    replay = post_form(
        client, embed_url(partner), sign_data(form_token=token, email="someone.else@example.org")
    )
    assert replay.status_code == 200
    assert "Something went wrong with the form" in replay.content.decode()
    assert list(Signature.objects.values_list("email", flat=True)) == ["jane.doughty@example.org"]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example.org", "null", "https://www.barnardos.org.uk"])
def test_a_post_from_another_sites_page_is_refused(client, partner, origin):
    """The frame's form is this site's page, so its POST's Origin is this site; a page elsewhere (even the
    partner's own) or a sandboxed frame ("null") cannot send it, valid token or not."""
    token = embed_form(client, partner)
    response = post_form(client, embed_url(partner), sign_data(form_token=token), HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert "Your signature was not taken" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_mistakes_are_shown_in_the_frame_with_the_values_kept(client, partner):
    token = embed_form(client, partner)
    response = post_form(client, embed_url(partner), sign_data(form_token=token, postcode="nonsense"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a real UK postcode" in html
    assert 'value="jane.doughty@example.org"' in html
    assert "There is a problem" in html
    assert frame_ancestors(response)[0] == "https://www.barnardos.org.uk"
    assert "<footer" not in html


@pytest.mark.django_db
def test_the_rate_limit_holds_in_the_frame(client, partner, settings):
    settings.PETITION_SIGN_RATE_LIMIT = 1
    token = embed_form(client, partner)
    assert post_form(client, embed_url(partner), sign_data(form_token=token)).status_code == 302
    response = post_form(
        client, embed_url(partner), sign_data(form_token=embed_form(client, partner), email="b@x.org")
    )
    assert response.status_code == 429
    assert "Please wait a few minutes" in response.content.decode()
    assert frame_ancestors(response)[0] == "https://www.barnardos.org.uk"


@pytest.mark.django_db
def test_a_closed_petition_says_so_in_the_frame(client, partner, petition):
    petition.closes_at = timezone.now() - timedelta(days=1)
    petition.save_revision().publish()
    page = client.get(embed_url(partner))
    assert page.status_code == 200
    assert 'class="sign-form"' not in page.content.decode()
    response = post_form(client, embed_url(partner), sign_data())
    assert response.status_code == 403
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_the_frame_works_without_javascript(client, partner):
    """Everything a person needs is in the HTML: a real form posting to the frame's own URL, its fields
    labelled, the count as text; scripts only refresh the count and move focus."""
    html = client.get(embed_url(partner)).content.decode()
    assert 'method="post"' in html
    for field in ("first_name", "last_name", "email", "postcode"):
        assert re.search(rf'<label[^>]+for="p\d+_{field}"', html), field
    assert re.search(r'<button type="submit"[^>]*>Sign the open letter</button>', html)
    assert "onclick" not in html and "<script>" not in html
