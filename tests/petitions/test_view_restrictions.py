"""Private petitions: every petition URL lets in exactly who the petition page lets in.

An editor makes a petition, or a section above it, private in Wagtail (a password, signed-in users, some
groups). The sign form's target, the check-your-email page, the confirmation link, count.json, the list of
signers and the petition block must then answer a visitor who has not got in as the page does (the password
form, the sign-in page) or with a 404, keep nothing, and show nothing of the petition.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction

from petitions.mail.confirmation import make_confirmation_token
from petitions.models import Signature
from petitions.signing.signatures import confirm_signature

from .conftest import post_form, sign
from .factories import PetitionPageFactory, SignatureFactory
from .test_block import render as render_block

PASSWORD = "letter-for-friends"  # noqa: S105 - the test page's own password
LETTER = "Dear Mark, keep children safe."


@pytest.fixture
def private_petition(petition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=petition, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
        )
    return petition


@pytest.fixture(params=["local-cache", "shared-redis"])
def either_cache(request):
    """Each test twice: with the tests' local cache, and with the project's Redis backend, which reads a
    petition's facts in the sign POST's rate-limit round trip (petitions.signing.submission)."""
    if request.param == "shared-redis":
        request.getfixturevalue("shared_redis_cache")


def restriction_of(page):
    return PageViewRestriction.objects.get(page=page)


def enter_password(client, petition, page=None):
    """Give the password in Wagtail's own form, as a visitor does on the page."""
    restriction = restriction_of(page or petition)
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, petition.pk])
    response = client.post(url, {"password": PASSWORD, "return_url": petition.url})
    assert response.status_code == 302


def asks_for_the_password(response, petition):
    html = response.content.decode()
    restriction = restriction_of(petition)
    action = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, petition.pk])
    return (
        response.status_code == 200
        and "Password required" in html
        and f'action="{action}"' in html
        and LETTER not in html
        and "no-cache" in response["Cache-Control"]
    )


def test_visitor_without_the_password_cannot_sign_and_is_asked_for_it(client, private_petition, either_cache):
    response = sign(client, private_petition)

    assert asks_for_the_password(response, private_petition)
    # Once they have given it, they are sent back to the petition page, not to the form's target.
    assert f'name="return_url" value="{private_petition.url}"' in response.content.decode()
    assert Signature.objects.count() == 0


def test_an_invalid_form_sent_without_the_password_shows_nothing_of_the_private_page(
    client, private_petition, either_cache
):
    response = sign(client, private_petition, first_name="", email="not-an-address")

    assert asks_for_the_password(response, private_petition)
    assert "There is a problem" not in response.content.decode()
    assert Signature.objects.count() == 0


def test_visitor_who_gave_the_password_signs_and_sees_the_check_your_email_page(
    client, private_petition, either_cache
):
    enter_password(client, private_petition)

    response = sign(client, private_petition)

    assert response.status_code == 302
    assert Signature.objects.filter(petition=private_petition).count() == 1
    check_email = client.get(response.url)
    assert check_email.status_code == 200
    assert "Check your email" in check_email.content.decode()


def test_check_your_email_and_signers_pages_ask_for_the_password_like_the_page(client, private_petition):
    signature = SignatureFactory(
        petition=private_petition, email="shown@example.org", first_name="Ravi", show_publicly=True
    )
    confirm_signature(signature.pk)
    pages = [
        reverse("petitions:check_email", args=[private_petition.pk]),
        reverse("petitions:signers", args=[private_petition.pk]),
    ]

    for url in pages:
        response = client.get(url)
        assert asks_for_the_password(response, private_petition), url
        assert f'name="return_url" value="{url}"' in response.content.decode()
        assert "Ravi" not in response.content.decode()

    enter_password(client, private_petition)
    assert [client.get(url).status_code for url in pages] == [200, 200]
    assert "Ravi" in client.get(pages[1]).content.decode()


def test_a_private_count_is_served_to_no_one_else_from_its_cache(client, private_petition, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 300
    confirm_signature(SignatureFactory(petition=private_petition, email="counted@example.org").pk)
    url = reverse("petitions:count", args=[private_petition.pk])
    enter_password(client, private_petition)

    allowed = client.get(url)
    outsider = Client().get(url)

    assert allowed.status_code == 200
    assert allowed.json()["count"] == 1
    # No shared cache (a CDN) may keep it for others.
    assert "public" not in allowed["Cache-Control"]
    assert "private" in allowed["Cache-Control"]
    assert outsider.status_code == 404
    assert b"count" not in outsider.content
    assert private_petition.title.encode() not in outsider.content


def test_a_private_list_of_signers_is_kept_by_no_cache_for_others(client, private_petition, page_cache_on):
    signature = SignatureFactory(petition=private_petition, first_name="Ravi", show_publicly=True)
    confirm_signature(signature.pk)
    url = reverse("petitions:signers", args=[private_petition.pk])
    enter_password(client, private_petition)

    allowed = [client.get(url) for _ in range(2)]
    outsider = Client().get(url)

    assert all("Ravi" in response.content.decode() for response in allowed)
    # Their own rendering each time, marked so that no shared cache (a CDN) keeps it for others.
    assert all("X-Page-Cache" not in response for response in allowed)
    assert all("private" in response["Cache-Control"] for response in allowed)
    assert asks_for_the_password(outsider, private_petition)
    assert "Ravi" not in outsider.content.decode()


def test_a_public_count_stays_cacheable(client, petition, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 5

    response = client.get(reverse("petitions:count", args=[petition.pk]))

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_link_of_a_private_petition_asks_for_the_password_and_confirms_nothing(
    client, private_petition
):
    signature = SignatureFactory(petition=private_petition, email="later@example.org")
    path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])

    opened = client.get(path)
    pressed = post_form(Client(), path)

    for response in (opened, pressed):
        assert asks_for_the_password(response, private_petition)
        # Back to the link itself once the password is given.
        assert f'name="return_url" value="{path}"' in response.content.decode()
    signature.refresh_from_db()
    assert signature.confirmed_at is None

    enter_password(client, private_petition)
    assert "Confirm my signature" in client.get(path).content.decode()
    assert post_form(client, path).status_code == 302
    signature.refresh_from_db()
    assert signature.confirmed_at is not None


def test_a_section_made_private_keeps_its_petitions_private(
    client, plain_home_page, django_capture_on_commit_callbacks
):
    home = plain_home_page
    petition = PetitionPageFactory(parent=home)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=home, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
        )

    refused = sign(client, petition)
    enter_password(client, petition, page=home)
    allowed = sign(client, petition)

    assert refused.status_code == 200
    assert "Password required" in refused.content.decode()
    assert allowed.status_code == 302
    assert Signature.objects.count() == 1


def test_petition_for_signed_in_users_sends_others_to_sign_in(client, petition, django_user_model):
    PageViewRestriction.objects.create(page=petition, restriction_type=PageViewRestriction.LOGIN)

    response = sign(client, petition)

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailcore_login"))
    assert Signature.objects.count() == 0
    client.force_login(django_user_model.objects.create_user("member"))
    assert sign(client, petition).status_code == 302
    assert Signature.objects.count() == 1


def test_petition_for_some_groups_lets_in_only_their_members(client, petition, django_user_model):
    members = Group.objects.create(name="Members")
    restriction = PageViewRestriction.objects.create(
        page=petition, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members)
    outsider = django_user_model.objects.create_user("outsider")
    member = django_user_model.objects.create_user("member")
    member.groups.add(members)

    client.force_login(outsider)
    refused = sign(client, petition, email="outsider@example.org")
    client.force_login(member)
    allowed = sign(client, petition, email="member@example.org")

    assert refused.status_code == 302
    assert refused.url.startswith(reverse("wagtailcore_login"))
    assert allowed.status_code == 302
    assert allowed.url == reverse("petitions:check_email", args=[petition.pk])
    assert list(Signature.objects.values_list("email", flat=True)) == ["member@example.org"]


def test_making_a_petition_private_takes_effect_at_once_and_so_does_making_it_public_again(
    client, petition, django_capture_on_commit_callbacks
):
    # Its signing facts are now in the cache, saying it has no restrictions.
    assert sign(client, petition, email="before@example.org").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=petition, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
        )
    while_private = sign(client, petition, email="while@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    after = sign(client, petition, email="after@example.org")

    assert "Password required" in while_private.content.decode()
    assert after.status_code == 302
    assert sorted(Signature.objects.values_list("email", flat=True)) == [
        "after@example.org",
        "before@example.org",
    ]


def test_a_cached_petition_page_made_private_is_no_longer_served_from_the_cache(
    client, petition, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    assert Client().get(petition.url)["X-Page-Cache"] == "MISS"
    assert Client().get(petition.url)["X-Page-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=petition, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
        )
    response = Client().get(petition.url)

    assert "X-Page-Cache" not in response
    assert asks_for_the_password(response, petition)


def test_the_block_of_a_private_petition_shows_nothing_of_it(private_petition):
    assert render_block(private_petition, display="form").strip() == ""
