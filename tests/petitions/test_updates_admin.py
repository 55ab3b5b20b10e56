"""Staff write, check and approve updates to signers in the admin, through the real screens: four eyes
(the author cannot approve; Editors see nothing), drafts only are editable, each step in the audit log."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import rich_text

from petitions.models import Audience, DeliveryStatus, PetitionUpdate, UpdateDelivery, UpdateStatus
from petitions.updates.approval import (
    APPROVE_ACTION,
    CANCEL_ACTION,
    SUBMIT_ACTION,
    TEST_SENT_ACTION,
    UpdateRefused,
    approve_update,
    submit_for_approval,
)
from petitions.updates.mail import SAMPLE_FIRST_NAME

from .conftest import run_worker
from .update_helpers import confirmed, make_update

pytestmark = pytest.mark.django_db

LISTING = reverse("petition_updates:list")
ADD = reverse("petition_updates:add")


def url(name, update):
    return reverse(f"petition_updates:{name}", args=[update.pk])


@pytest.fixture
def writer(make_staff):
    return make_staff("Campaign staff", "wren.writer")


@pytest.fixture
def approver(make_staff):
    return make_staff("Campaign staff", "abe.approver")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def signers(petition):
    """Two who agreed to hear more, one who did not."""
    return [
        confirmed(petition, contact_consent=True, first_name="Rosa"),
        confirmed(petition, contact_consent=True, first_name="Sam"),
        confirmed(petition, contact_consent=False, first_name="Tove"),
    ]


def form(petition, audience="news", **overrides):
    data = {
        "petition": petition.pk,
        "subject": "We delivered the letter",
        "body": rich_text("<p>We handed it to Facebook's office.</p>"),
        "audience": audience,
        "send_after": "",
    }
    data.update(overrides)
    return data


def logged(update, action):
    return ModelLogEntry.objects.filter(object_id=str(update.pk), action=action)


# Who may do what


def test_campaign_staff_may_send_updates_and_editors_may_not(db):
    staff = Group.objects.get(name="Campaign staff")
    editors = Group.objects.get(name="Editors")
    assert staff.permissions.filter(codename="send_petitionupdate").exists()
    assert not editors.permissions.filter(content_type__model="petitionupdate").exists()


def test_an_editor_is_refused_on_every_update_screen_and_changes_nothing(
    as_user, editor, writer, petition, signers
):
    update = make_update(petition, writer, status=UpdateStatus.AWAITING_APPROVAL)
    client = as_user(editor)

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert LISTING.encode() not in dashboard.content
    screens = [LISTING, ADD, url("edit", update), url("history", update)] + [
        url(name, update) for name in ("check", "preview", "send_test", "submit", "approve", "cancel")
    ]
    home = reverse("wagtailadmin_home")
    for screen in screens:
        # Wagtail answers a refusal in its admin with a redirect to the dashboard and "Sorry, you do
        # not have permission to access this area."
        response = client.get(screen)
        assert (response.status_code, response.get("Location")) == (302, home), screen
        response = client.post(screen, {"seen_count": 2})
        assert (response.status_code, response.get("Location")) == (302, home), screen
    assert "do not have permission" in str(list(client.get(home).context["messages"])[0])
    update.refresh_from_db()
    assert update.status == UpdateStatus.AWAITING_APPROVAL
    assert update.approved_by is None
    assert (
        not ModelLogEntry.objects.filter(object_id=str(update.pk)).exclude(action="wagtail.create").exists()
    )
    with pytest.raises(UpdateRefused):
        approve_update(update, editor, seen_count=2)


# Writing


def test_campaign_staff_write_an_update_which_keeps_a_revision_and_its_author(as_user, writer, petition):
    client = as_user(writer)
    response = client.post(ADD, form(petition))

    update = PetitionUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("check", update)
    assert update.created_by == writer
    assert update.status == UpdateStatus.DRAFT
    assert update.revisions.count() == 1
    assert update.revisions.get().user == writer
    assert logged(update, "wagtail.create").get().user == writer
    assert "Facebook&#x27;s office" in update.body or "Facebook's office" in update.body


def test_the_form_refuses_an_outcome_update_when_signers_were_not_told_they_would_get_one(
    as_user, writer, petition
):
    assert not petition.tells_outcome
    response = as_user(writer).post(ADD, form(petition, audience=Audience.OUTCOME))

    assert response.status_code == 200
    assert "privacy notice does not say signers will be told its outcome" in response.content.decode()
    assert not PetitionUpdate.objects.exists()


def test_the_form_refuses_an_update_with_an_empty_body(as_user, writer, petition):
    response = as_user(writer).post(ADD, form(petition, body=rich_text("<p></p>")))

    assert response.status_code == 200
    assert "the body is empty" in response.content.decode()
    assert not PetitionUpdate.objects.exists()


def test_the_form_accepts_an_outcome_update_once_the_notice_says_so(as_user, writer, petition):
    petition.tells_outcome = True
    petition.save_revision().publish()

    response = as_user(writer).post(ADD, form(petition, audience=Audience.OUTCOME))

    assert response.status_code == 302
    assert PetitionUpdate.objects.get().audience == Audience.OUTCOME


def test_a_draft_can_be_edited_but_not_once_submitted(as_user, writer, petition, signers):
    update = make_update(petition, writer)
    client = as_user(writer)

    assert client.post(url("edit", update), form(petition, subject="Better subject")).status_code == 302
    update.refresh_from_db()
    assert update.subject == "Better subject"
    assert update.revisions.count() == 1

    submit_for_approval(update, writer)
    page = client.get(url("edit", update))
    response = client.post(url("edit", update), form(petition, subject="Sneaky change"))

    assert page.status_code == 302
    assert response.status_code == 302 and response["Location"] == url("check", update)
    update.refresh_from_db()
    assert update.subject == "Better subject"
    message = str(list(client.get(url("check", update)).context["messages"])[-1])
    assert "can no longer be changed" in message


# Four eyes


def test_the_author_cannot_approve_their_own_update_and_another_sender_can(
    as_user, writer, approver, petition, signers
):
    update = make_update(petition, writer)
    client = as_user(writer)
    assert client.post(url("submit", update)).status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.AWAITING_APPROVAL
    assert logged(update, SUBMIT_ACTION).get().user == writer

    # The author sees no Approve button, and a POST of their own is refused.
    check = client.get(url("check", update)).content.decode()
    assert url("approve", update) not in check
    assert "Waiting for someone else to approve it" in check
    client.post(url("approve", update), {"seen_count": 2})
    update.refresh_from_db()
    assert update.status == UpdateStatus.AWAITING_APPROVAL
    assert not logged(update, APPROVE_ACTION).exists()

    client = as_user(approver)
    page = client.get(url("approve", update)).content.decode()
    assert "<strong>2 signers</strong>" in page
    assert "Approve and send to 2 signers" in page
    response = client.post(url("approve", update), {"seen_count": 2})

    assert response.status_code == 302
    update.refresh_from_db()
    # Approved with no send time: sending starts at once, one outbox row per signer approved for.
    assert update.status == UpdateStatus.SENDING
    assert update.deliveries.count() == 2
    assert update.approved_by == approver
    assert update.approved_at is not None
    assert update.audience_count == 2
    entry = logged(update, APPROVE_ACTION).get()
    assert entry.user == approver and entry.data == {"count": 2}


def test_approval_is_refused_when_the_audience_changed_since_the_approver_looked(
    as_user, writer, approver, petition, signers
):
    update = make_update(petition, writer)
    submit_for_approval(update, writer)
    client = as_user(approver)
    client.get(url("approve", update))
    confirmed(petition, contact_consent=True)  # someone signs and confirms meanwhile

    response = client.post(url("approve", update), {"seen_count": 2})

    assert response["Location"] == url("approve", update)
    update.refresh_from_db()
    assert update.status == UpdateStatus.AWAITING_APPROVAL
    again = client.get(url("approve", update))
    assert "it is now 3 signers, not 2" in str(list(again.context["messages"])[0])
    assert "Approve and send to 3 signers" in again.content.decode()


def test_an_update_nobody_would_receive_cannot_be_submitted(as_user, writer, petition):
    update = make_update(petition, writer)

    response = as_user(writer).post(url("submit", update), follow=True)

    assert "Nobody would receive this update" in response.content.decode()
    update.refresh_from_db()
    assert update.status == UpdateStatus.DRAFT


def test_cancelling_stops_an_approved_update_and_is_logged(as_user, writer, approver, petition, signers):
    update = make_update(petition, writer)
    submit_for_approval(update, writer)
    approve_update(update, approver, seen_count=2)

    response = as_user(writer).post(url("cancel", update))

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.CANCELLED
    assert update.cancelled_by == writer
    assert logged(update, CANCEL_ACTION).get().data == {"previous_status": "approved"}
    # Cancelled stays cancelled: it cannot be submitted, approved or cancelled again.
    as_user(writer).post(url("cancel", update))
    assert logged(update, CANCEL_ACTION).count() == 1


def test_the_history_shows_who_wrote_submitted_approved_and_cancelled_it_in_words(
    as_user, writer, approver, petition, signers
):
    as_user(writer).post(ADD, form(petition))
    update = PetitionUpdate.objects.get()
    submit_for_approval(update, writer)
    approve_update(update, approver, seen_count=2)
    as_user(approver).post(url("cancel", update))

    history = as_user(approver).get(url("history", update)).content.decode()

    for words in ("Submitted for approval, for 2 signers", "Approved for 2 signers.", "Cancelled."):
        assert words in history
    assert log_registry.get_action_label(APPROVE_ACTION) == "Approve update"


# Preview and test


def test_the_preview_shows_the_mail_as_html_and_plain_text_with_a_sample_name(
    as_user, writer, petition, signers
):
    update = make_update(petition, writer)

    response = as_user(writer).get(url("preview", update))

    assert response.status_code == 200
    html, text = response.context["html"], response.context["text"]
    assert f"Dear {SAMPLE_FIRST_NAME}," in html and f"Dear {SAMPLE_FIRST_NAME}," in text
    assert "<li>One</li>" in html
    assert "- One\n- Two" in text
    assert "Read more (https://example.org/news)" in text
    assert "Stop emails from the campaign" in html and "Stop emails from the campaign" in text
    page = response.content.decode()
    assert 'sandbox srcdoc="' in page and "&lt;li&gt;One&lt;/li&gt;" in page
    assert "<pre" in page
    for signer in signers:
        assert signer.first_name not in page and signer.email not in page


@pytest.fixture
def writer_by_permissions(django_user_model):
    """A writer holding Campaign staff's update permissions directly: in a transactional test the groups
    the migrations made may be gone (an earlier transactional test's flush removes them)."""
    user = django_user_model.objects.create_user("wren.writer", "wren.writer@example.org")
    wanted = {
        ("wagtailadmin", "access_admin"),
        *(("petitions", f"{action}_petitionupdate") for action in ("view", "add", "change", "send")),
    }
    user.user_permissions.add(
        *(
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        )
    )
    return user


@pytest.mark.django_db(transaction=True)
def test_send_me_a_test_goes_only_to_the_staff_members_own_address_and_is_logged(
    as_user, writer_by_permissions, petition, signers, mailoutbox
):
    writer = writer_by_permissions
    update = make_update(petition, writer)
    client = as_user(writer)

    page = client.get(url("send_test", update)).content.decode()
    assert writer.email in page
    response = client.post(url("send_test", update), {"to": "someone.else@example.org"})
    run_worker()

    assert response.status_code == 302
    assert [mail.to for mail in mailoutbox] == [[writer.email]]
    mail = mailoutbox[0]
    assert mail.subject == "[Test] The letter was delivered"
    assert not mail.cc and not mail.bcc
    assert f"Dear {SAMPLE_FIRST_NAME}," in mail.body
    assert "This is a test, sent to you alone" in mail.body
    assert mail.alternatives[0].mimetype == "text/html"
    assert logged(update, TEST_SENT_ACTION).get().user == writer
    update.refresh_from_db()
    assert update.status == UpdateStatus.DRAFT


def test_a_test_cannot_be_sent_without_an_address_on_the_account(as_user, writer, petition, signers):
    writer.email = ""
    writer.save()
    update = make_update(petition, writer)

    response = as_user(writer).post(url("send_test", update), follow=True)

    assert "Your account has no email address" in response.content.decode()
    assert not logged(update, TEST_SENT_ACTION).exists()


# The listing


def test_the_listing_shows_each_updates_status_audience_and_count(
    as_user, writer, approver, petition, signers
):
    update = make_update(petition, writer)
    submit_for_approval(update, writer)
    approve_update(update, approver, seen_count=2)

    page = as_user(writer).get(LISTING).content.decode()

    assert "The letter was delivered" in page
    assert url("check", update) in page
    assert "Approved" in page and "Campaign news" in page
    assert ">2<" in page.replace(" ", "").replace("\n", "")


def test_the_listing_and_the_updates_page_show_how_far_sending_has_gone(
    as_user, writer, approver, petition, signers
):
    update = make_update(petition, writer)
    submit_for_approval(update, writer)
    approve_update(update, approver, seen_count=2)
    client = as_user(writer)
    assert "Not started yet: 2 to send." in client.get(url("check", update)).content.decode()

    UpdateDelivery.objects.create(update=update, signature=signers[0], status=DeliveryStatus.SENT)
    UpdateDelivery.objects.create(update=update, signature=signers[1], status=DeliveryStatus.QUEUED)

    assert "1 sent, 1 to go, 0 failed" in client.get(LISTING).content.decode()
    check = client.get(url("check", update))
    assert check.context["progress"] == {
        "total": 2,
        "queued": 1,
        "sent": 1,
        "failed": 0,
        "skipped": 0,
        "retrying": 0,
        "remaining": 1,
        "started": True,
    }
    assert "<dt>Still to send</dt><dd>1</dd>" in check.content.decode()


def test_every_update_screen_opens_for_campaign_staff_with_plain_labels(as_user, writer, petition, signers):
    update = make_update(petition, writer)
    client = as_user(writer)

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert LISTING in dashboard and "Updates to signers" in dashboard
    add = client.get(ADD).content.decode()
    for label in (
        "Petition",
        "Subject",
        "Body",
        "Audience",
        "Send at",
        "Campaign news",
        "Outcome of the letter",
    ):
        assert label in add, label
    assert "unsubscribed" in add  # the audience's help text
    check = client.get(url("check", update)).content.decode()
    for label in ("Preview", "Send me a test", "Edit", "Submit for approval", "Cancel", "History"):
        assert f">{label}<" in check, label
    for name in ("edit", "history", "preview", "send_test", "submit", "cancel"):
        assert client.get(url(name, update)).status_code == 200, name
