"""The letter's outcome timeline: editors add entries, the public page lists them in date order
(plain HTML, no script needed, fresh after a publish even when cached), and staff draft an outcome update."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import ModelLogEntry

from petitions.models import Audience, PetitionUpdate, UpdateStatus
from petitions.models.timeline import OutcomeTimelineBlock

pytestmark = pytest.mark.django_db

DELIVERED = {
    "type": "delivered",
    "id": "e1-delivered",
    "value": {
        "date": "2026-11-20",
        "text": "Three young campaigners handed it over with your 52,000 signatures.",
        "how": "by hand at their London office",
        "to_whom": "Meta's UK public policy team",
    },
}
REPLIED = {
    "type": "replied",
    "id": "e3-replied",
    "value": {
        "date": "2026-12-01",
        "text": "Meta answered the letter.",
        "reply_text": "We take children's safety <seriously>.",
        "reply_link": "https://example.org/reply.pdf",
    },
}
ACKNOWLEDGED = {
    "type": "acknowledged",
    "id": "e2-acknowledged",
    "value": {"date": "2026-11-24", "text": "They wrote to say the letter arrived."},
}
NEXT_ASK = {
    "type": "next_ask",
    "id": "e4-next",
    "value": {
        "date": "2026-12-02",
        "text": "Ask your MP to back the amendment.",
        "link": "https://example.org/write-to-your-mp",
        "link_text": "Write to your MP",
    },
}


def publish_timeline(petition, *entries):
    petition.outcome_timeline = json.dumps(list(entries))
    petition.save_revision().publish()
    petition.refresh_from_db()
    return petition


def timeline_of(response):
    soup = BeautifulSoup(response.content, "html.parser")
    section = soup.find("section", class_="outcome-timeline")
    return section


def test_the_public_page_lists_the_entries_in_date_order_with_their_details(client, petition):
    # Added out of order: the page sorts them by date.
    publish_timeline(petition, REPLIED, DELIVERED, NEXT_ASK, ACKNOWLEDGED)

    response = client.get(petition.url)

    section = timeline_of(response)
    assert section.find("h2").get_text() == "What happened next"
    items = section.find("ol").find_all("li", recursive=False)
    assert [item.find("h3").get_text() for item in items] == [
        "Letter delivered",
        "Receipt acknowledged",
        "They replied",
        "What we ask next",
    ]
    assert [item.find("time")["datetime"] for item in items] == [
        "2026-11-20",
        "2026-11-24",
        "2026-12-01",
        "2026-12-02",
    ]
    assert items[0].find("time").get_text() == "20 November 2026"
    assert "Delivered by hand at their London office, to Meta's UK public policy team." in items[0].get_text()
    reply = items[2]
    assert "We take children's safety <seriously>." in reply.find("blockquote").get_text()
    assert "<seriously>" not in str(reply), "the reply's words are escaped"
    assert reply.find("a", href="https://example.org/reply.pdf").get_text() == "Read their full reply"
    assert items[3].find("a", href="https://example.org/write-to-your-mp").get_text() == "Write to your MP"
    assert not section.find("script"), "the timeline is plain HTML: it needs no script"


def test_a_petition_without_entries_shows_no_timeline(client, petition):
    assert timeline_of(client.get(petition.url)) is None


@pytest.mark.usefixtures("page_cache_on")
def test_the_cached_page_shows_a_new_entry_as_soon_as_it_is_published(
    client, petition, django_capture_on_commit_callbacks
):
    publish_timeline(petition, DELIVERED)
    client.get(petition.url)
    assert client.get(petition.url)["X-Page-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        publish_timeline(petition, DELIVERED, ACKNOWLEDGED)

    items = timeline_of(client.get(petition.url)).find("ol").find_all("li", recursive=False)
    assert [item.find("h3").get_text() for item in items] == ["Letter delivered", "Receipt acknowledged"]


def test_a_reply_needs_its_text_or_a_link():
    block = OutcomeTimelineBlock()
    entry = {"type": "replied", "value": {"date": "2026-12-01", "text": "They replied."}}
    with pytest.raises(Exception, match="Validation error") as caught:
        block.clean(block.to_python([entry]))
    errors = caught.value.block_errors[0].block_errors
    assert errors["reply_text"].messages == ["Give the reply's text or a link to it."]

    entry["value"]["reply_link"] = "https://example.org/reply.pdf"
    assert block.clean(block.to_python([entry]))[0].value["reply_link"] == "https://example.org/reply.pdf"


def test_a_next_ask_link_needs_its_words():
    block = OutcomeTimelineBlock()
    entry = {
        "type": "next_ask",
        "value": {"date": "2026-12-02", "text": "Write.", "link": "https://example.org/"},
    }
    with pytest.raises(Exception, match="Validation error"):
        block.clean(block.to_python([entry]))


def draft_screen(petition):
    return reverse("petitions_admin:outcome_update_from_timeline", args=[petition.pk])


def test_staff_draft_an_outcome_update_from_an_entry_with_its_words_filled_in(
    superuser_client, superuser, petition
):
    petition.tells_outcome = True
    publish_timeline(petition, DELIVERED, REPLIED)

    screen = superuser_client.get(draft_screen(petition))
    assert screen.status_code == 200
    buttons = BeautifulSoup(screen.content, "html.parser").find_all("input", attrs={"name": "entry"})
    assert [button["value"] for button in buttons] == ["e1-delivered", "e3-replied"]

    response = superuser_client.post(draft_screen(petition), {"entry": "e3-replied"})

    update = PetitionUpdate.objects.get()
    assert (update.petition_id, update.audience, update.status) == (
        petition.pk,
        Audience.OUTCOME,
        UpdateStatus.DRAFT,
    )
    assert update.created_by == superuser
    assert update.subject == "They replied: 1 December 2026"
    assert "<p>Meta answered the letter.</p>" in update.body
    assert "<blockquote><p>We take children&#x27;s safety &lt;seriously&gt;.</p></blockquote>" in update.body
    assert '<a href="https://example.org/reply.pdf">Read the full reply</a>' in update.body
    entry = ModelLogEntry.objects.get(action="wagtail.create")
    assert (entry.object_id, entry.user_id, entry.data) == (
        str(update.pk),
        superuser.pk,
        {"from_timeline_entry": "e3-replied"},
    )
    assert response.status_code == 302
    assert response.url == reverse("petition_updates:edit", args=[update.pk])


def test_a_draft_from_the_latest_saved_draft_of_the_page_works_before_it_is_published(
    superuser_client, petition
):
    petition.tells_outcome = True
    petition.save_revision().publish()
    petition.outcome_timeline = json.dumps([ACKNOWLEDGED])
    petition.save_revision()

    superuser_client.post(draft_screen(petition), {"entry": "e2-acknowledged"})

    assert PetitionUpdate.objects.get().subject == "Receipt acknowledged: 24 November 2026"


def test_no_outcome_update_is_drafted_for_a_letter_whose_notice_does_not_promise_one(
    superuser_client, petition
):
    publish_timeline(petition, DELIVERED)
    assert petition.tells_outcome is False

    screen = superuser_client.get(draft_screen(petition))
    assert "would go to no one" in screen.content.decode()
    response = superuser_client.post(draft_screen(petition), {"entry": "e1-delivered"}, follow=True)

    assert not PetitionUpdate.objects.exists()
    assert "would go to no one" in response.content.decode()


def test_an_unknown_entry_is_refused_with_a_message(superuser_client, petition):
    petition.tells_outcome = True
    publish_timeline(petition, DELIVERED)
    response = superuser_client.post(draft_screen(petition), {"entry": "gone"}, follow=True)
    assert not PetitionUpdate.objects.exists()
    assert "That entry is no longer in the timeline" in response.content.decode()


def test_an_editor_without_the_send_updates_permission_cannot_draft_one(client, editor, petition):
    petition.tells_outcome = True
    publish_timeline(petition, DELIVERED)
    client.force_login(editor)

    for response in (
        client.get(draft_screen(petition)),
        client.post(draft_screen(petition), {"entry": "e1-delivered"}),
    ):
        assert response.status_code in (302, 403)
        assert not response.get("Location", "").endswith(draft_screen(petition))
    assert not PetitionUpdate.objects.exists()


def test_the_page_editor_offers_the_draft_screen_to_staff_who_send_updates(superuser_client, petition):
    html = superuser_client.get(reverse("wagtailadmin_pages:edit", args=[petition.pk])).content.decode()
    assert draft_screen(petition) in html
    assert "Draft an outcome update from the timeline" in html
