"""Milestones: recorded once when the count first reaches 100, 1,000, … and the target (also under
concurrent confirmations), shown on the petition, mailed to staff by the worker, and the start of a
draft update in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from petitions.models import PetitionMilestone, PetitionUpdate, Signature
from petitions.models.counts import recount_signatures
from petitions.models.milestones import NotifyStatus, thresholds
from petitions.signing.signatures import confirm_signature
from petitions.staff.milestones import START_UPDATE_ACTION
from petitions.tasks import requeue_milestone_notifications
from tests.faults.services import SmtpSink, free_port
from tests.html import soup, text

from .conftest import run_worker, sign
from .factories import PetitionPageFactory, SignatureFactory
from .test_concurrency import in_threads


def already_counted(petition, n):
    """`n` confirmed signatures stored directly, and the counters rebuilt to hold them."""
    now = timezone.now()
    Signature.objects.bulk_create(
        SignatureFactory.build(
            petition=petition,
            email=f"early{i}@example.org",
            created_at=now,
            confirmed_at=now - timedelta(days=2),
        )
        for i in range(n)
    )
    recount_signatures([petition.pk])


def waiting(petition, n):
    return [SignatureFactory(petition=petition, email=f"late{i}@example.org").pk for i in range(n)]


def test_the_milestones_are_the_powers_of_ten_from_100_and_the_target():
    assert thresholds(2500, 99) == []
    assert thresholds(2500, 100) == [100]
    assert thresholds(2500, 12_000) == [100, 1000, 2500, 10_000]
    assert thresholds(1000, 1000) == [100, 1000]


def test_reaching_100_records_the_time_once_and_following_links_again_changes_nothing(petition):
    already_counted(petition, 98)
    first, second, third = waiting(petition, 3)
    confirm_signature(first)
    assert not PetitionMilestone.objects.exists()

    at = timezone.now()
    confirm_signature(second, now=at)
    confirm_signature(third)
    confirm_signature(second)

    milestone = PetitionMilestone.objects.get()
    assert (milestone.threshold, milestone.reached_at, milestone.is_target) == (100, at, False)


def test_the_target_is_a_milestone_of_its_own(plain_home_page):
    petition = PetitionPageFactory(parent=plain_home_page, target=150)
    already_counted(petition, 149)

    confirm_signature(waiting(petition, 1)[0])

    assert list(PetitionMilestone.objects.values_list("threshold", "is_target")) == [
        (100, False),
        (150, True),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_across_100_record_it_exactly_once(petition, settings):
    settings.MILESTONE_NOTIFY_EMAIL = ""
    already_counted(petition, 90)
    ids = waiting(petition, 20)

    in_threads(len(ids), lambda n: confirm_signature(ids[n]))

    milestones = list(PetitionMilestone.objects.filter(petition=petition).values_list("threshold", flat=True))
    assert milestones == [100]
    assert Signature.objects.counted().count() == 110


@pytest.mark.django_db(transaction=True)
def test_staff_are_mailed_of_a_milestone_by_the_worker_once(petition, settings, client):
    port = free_port()
    sink = SmtpSink(port)
    sink.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.MILESTONE_NOTIFY_EMAIL = "campaigns@example.org"
        already_counted(petition, 99)
        sign(client, petition, email="hundredth@example.org")
        run_worker()  # the signer's confirmation mail
        confirm_signature(Signature.objects.get(email="hundredth@example.org").pk)
        assert PetitionMilestone.objects.get().notify_status == NotifyStatus.QUEUED

        run_worker()
        run_worker()
        requeue_milestone_notifications()
        run_worker()
    finally:
        sink.stop()

    to_staff = [m for rcpt_tos, m in sink.messages if rcpt_tos == ["campaigns@example.org"]]
    assert len(to_staff) == 1
    assert "100 signatures" in to_staff[0]["Subject"]
    assert "hundredth" not in to_staff[0].get_content()
    milestone = PetitionMilestone.objects.get()
    assert milestone.notify_status == NotifyStatus.SENT and milestone.notified_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_milestone_mail_that_fails_is_recorded_and_sent_by_the_sweeper_later(petition, settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.MILESTONE_NOTIFY_EMAIL = "campaigns@example.org"
    already_counted(petition, 99)
    confirm_signature(waiting(petition, 1)[0])

    run_worker()  # no mail server yet
    failed = PetitionMilestone.objects.get()
    sink = SmtpSink(port)
    sink.start()
    try:
        requeue_milestone_notifications()
        run_worker()
    finally:
        sink.stop()

    assert (failed.notify_status, failed.notify_attempts) == (NotifyStatus.FAILED, 1)
    assert failed.notify_error
    assert PetitionMilestone.objects.get().notify_status == NotifyStatus.SENT
    assert len(sink.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_without_an_address_no_mail_is_sent_and_the_milestone_says_so(petition, settings, mailoutbox):
    settings.MILESTONE_NOTIFY_EMAIL = ""
    already_counted(petition, 99)
    confirm_signature(waiting(petition, 1)[0])

    run_worker()

    assert PetitionMilestone.objects.get().notify_status == NotifyStatus.NOT_NEEDED
    assert mailoutbox == []


def test_the_petition_page_tells_how_long_each_milestone_took(client, petition):
    type(petition).objects.filter(pk=petition.pk).update(
        first_published_at=timezone.now() - timedelta(days=3)
    )
    already_counted(petition, 99)
    confirm_signature(waiting(petition, 1)[0])

    page = soup(client.get(petition.url))

    milestones = [text(li) for li in page.select(".petition__milestones li")]
    assert len(milestones) == 1
    assert milestones[0].startswith("100 signatures in 3 days")


def test_campaign_staff_start_a_draft_news_update_from_a_milestone_once(client, petition, campaign_staff):
    already_counted(petition, 99)
    confirm_signature(waiting(petition, 1)[0])
    milestone = PetitionMilestone.objects.get()
    campaign_staff.user_permissions.add(Permission.objects.get(codename="send_petitionupdate"))
    client.force_login(campaign_staff)
    url = reverse("petitions_admin:milestones")

    listing = client.get(url)
    first = client.post(url, {"milestone": milestone.pk})
    again = client.post(url, {"milestone": milestone.pk})

    assert "Start an update" in listing.content.decode()
    update = PetitionUpdate.objects.get()
    assert first.url == again.url == reverse("petition_updates:edit", args=[update.pk])
    assert (update.petition_id, update.audience, update.status) == (petition.pk, "news", "draft")
    assert update.subject == "We reached 100 signatures"
    assert update.created_by == campaign_staff
    assert PetitionMilestone.objects.get().update == update
    assert PageLogEntry.objects.filter(action=START_UPDATE_ACTION, page=petition).count() == 1


def test_staff_without_the_send_permission_cannot_open_milestones(client, editor):
    client.force_login(editor)

    response = client.get(reverse("petitions_admin:milestones"))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
