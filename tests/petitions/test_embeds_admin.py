"""Admin → Partner sites: campaign staff add a partner, correct its addresses, and copy the frame's code."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from petitions.models import EmbedPartner

INDEX = reverse("partner_sites:index")
ADD = reverse("partner_sites:add")

pytestmark = pytest.mark.django_db


def partner_form(petition, **overrides):
    data = {
        "name": "Barnardo's",
        "petition": petition.pk,
        "source_code": "partner-barnardos",
        "allowed_origins": "https://www.barnardos.org.uk/\nHTTPS://Campaigns.Barnardos.org.uk",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_campaign_staff_hold_the_partner_permissions_and_editors_do_not(db):
    def codenames(group_name):
        return set(
            Permission.objects.filter(group__name=group_name, codename__endswith="_embedpartner").values_list(
                "codename", flat=True
            )
        )

    assert codenames("Campaign staff") == {
        "add_embedpartner",
        "change_embedpartner",
        "delete_embedpartner",
        "view_embedpartner",
    }
    assert codenames("Editors") == set()


def test_an_editor_is_refused_the_partner_screens(login, petition):
    client = login("Editors")
    assert client.get(INDEX).status_code in (302, 403)
    response = client.post(ADD, partner_form(petition))
    assert response.status_code in (302, 403)
    assert not EmbedPartner.objects.exists()


def test_campaign_staff_add_a_partner_and_get_the_frame_code_to_copy(login, petition):
    # A quote in the title must reach the partner's page as part of the title, not end the attribute.
    petition.title = 'Tell Facebook: "No encryption without protection"'
    petition.save_revision().publish()
    client = login("Campaign staff")
    assert client.get(INDEX).status_code == 200
    response = client.post(ADD, partner_form(petition))
    assert response.status_code == 302
    partner = EmbedPartner.objects.get()
    # Stored as the origins browsers report: lowercase, without the trailing slash.
    assert partner.origins == ["https://www.barnardos.org.uk", "https://campaigns.barnardos.org.uk"]
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(partner.pk)).exists()

    edit = client.get(reverse("partner_sites:edit", args=[partner.pk]))
    html = edit.content.decode()
    # What the box shows (and copies) is the HTML to paste, exactly.
    shown = unescape(
        re.search(r'<textarea id="embed-snippet-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    )
    frame_url = f"http://localhost/petitions/{petition.pk}/embed/partner-barnardos/"
    assert shown == (
        f'<iframe src="{frame_url}" title="Sign the open letter: Tell Facebook: &quot;No encryption without '
        f'protection&quot;" width="100%" height="1150" loading="lazy"></iframe>'
    )
    assert "js/copy-link.js" in html
    assert "data-copy-link" in html
    assert "The letter is not published, or is private" not in html

    petition.unpublish()
    edit = client.get(reverse("partner_sites:edit", args=[partner.pk]))
    assert "The letter is not published, or is private" in edit.content.decode()


def test_a_wrong_address_is_explained_beside_the_field_and_nothing_is_saved(login, petition):
    client = login("Campaign staff")
    response = client.post(
        ADD,
        partner_form(petition, allowed_origins="http://www.barnardos.org.uk\nhttps://x.org/letter"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "must use https://" in html
    assert "without the page&#x27;s path" in html or "without the page's path" in html
    assert not EmbedPartner.objects.exists()


def test_a_source_code_must_be_a_short_code_and_unique_for_the_letter(login, petition):
    client = login("Campaign staff")
    response = client.post(ADD, partner_form(petition, source_code="Partner Barnardos!"))
    assert "lowercase letters, digits and single hyphens" in response.content.decode()
    assert client.post(ADD, partner_form(petition)).status_code == 302
    again = client.post(ADD, partner_form(petition, name="Barnardo's again"))
    assert again.status_code == 200
    assert "already has this source code" in again.content.decode()
    assert EmbedPartner.objects.count() == 1
