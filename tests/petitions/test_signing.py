"""Signing through the real views: the whole journey, every validation error, duplicates, closed petitions.

Past ~400 lines because it is the visitor's whole signing journey, one story per validation error;
the defences against bots are in test_sign_form_defences.py, concurrency in test_concurrency.py."""

import logging
import re
from datetime import timedelta
from html import escape
from urllib.parse import quote, urlparse

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page

from petitions.mail.confirmation import make_confirmation_token
from petitions.models import ConsentWording, MailStatus, Measure, RecordCount, Signature
from petitions.signing.signatures import signature_params
from tests.html import soup, text

from .conftest import post_form, press_confirm, run_worker, sign, sign_data
from .factories import PetitionPageFactory, SignatureFactory

EMAIL = "Jane.Doughty@Example.org"


def confirmation_path(message):
    link = re.search(r"https?://\S+/petitions/confirm/\S+/", message.body).group(0)
    return urlparse(link).path


def public_count(client, petition):
    return client.get(reverse("petitions:count", args=[petition.pk])).json()["count"]


@pytest.mark.django_db(transaction=True)
def test_visitor_signs_confirms_by_email_and_is_counted(client, petition, mailoutbox, caplog):
    caplog.set_level(logging.DEBUG)
    page = client.get(petition.url)
    assert page.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)

    response = post_form(
        client,
        reverse("petitions:sign", args=[petition.pk]),
        sign_data(email=EMAIL, form_token=token, postcode="sw1a 1aa", show_publicly="on"),
    )

    check_email_url = reverse("petitions:check_email", args=[petition.pk])
    assert response.status_code == 302
    assert response.url == check_email_url
    assert "Check your email" in client.get(check_email_url).content.decode()
    signature = Signature.objects.get()
    assert (signature.postcode, signature.region) == ("SW1A 1AA", "london")
    assert signature.confirmed_at is None
    assert signature.mail_status == MailStatus.QUEUED
    task = DBTaskResult.objects.get(task_path="petitions.tasks.send_queued_confirmation_emails")
    # Ids of what to send are in the outbox rows, not in the task.
    assert task.args_kwargs["args"] == []
    assert mailoutbox == []
    assert public_count(client, petition) == 0

    run_worker()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    assert petition.title in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    path = confirmation_path(message)
    assert escape(path) in html or path in html

    pressed = press_confirm(client, path)
    assert (pressed.status_code, pressed.url) == (302, path)
    thanks = client.get(path)
    assert thanks.status_code == 200
    assert "Thank you for standing with children." in thanks.content.decode()
    assert petition.share_text in thanks.content.decode()
    signature.refresh_from_db()
    assert signature.confirmed_at is not None
    assert signature.mail_status == MailStatus.SENT
    assert public_count(client, petition) == 1

    assert client.get(path).status_code == 200
    assert post_form(client, path).status_code == 302
    assert public_count(client, petition) == 1
    assert "Jane, London" in client.get(petition.url).content.decode()

    personal = ["jane.doughty", "doughty", "sw1a"]
    for record in caplog.records:
        logged = record.getMessage().lower()
        assert not any(value in logged for value in personal), logged


def test_signature_keeps_the_record_of_consent(client, petition, plain_home_page):
    notice = plain_home_page.add_child(instance=Page(title="Privacy notice", slug="privacy"))
    notice.save_revision().publish()
    notice.refresh_from_db()
    petition.privacy_notice = notice
    petition.save_revision().publish()

    sign(client, petition, contact_consent="on", show_publicly=None)

    signature = Signature.objects.get()
    assert signature.contact_consent is True
    assert signature.show_publicly is False
    assert signature.contact_consent_wording.text == petition.contact_consent_wording
    assert signature.contact_consent_wording.version == ConsentWording.version_of(
        petition.contact_consent_wording
    )
    assert signature.show_publicly_wording.text == petition.show_publicly_wording
    assert signature.privacy_notice_version == f"{notice.pk}/{notice.live_revision_id}"
    assert signature.created_at is not None


def test_changed_consent_wording_is_stored_as_a_new_version(client, petition):
    sign(client, petition, email="first@example.org")
    petition.contact_consent_wording = "Yes, email me about the campaign."
    petition.save_revision().publish()

    sign(client, petition, email="second@example.org")

    first, second = Signature.objects.order_by("pk")
    assert first.contact_consent_wording_id != second.contact_consent_wording_id
    assert second.contact_consent_wording.text == "Yes, email me about the campaign."
    assert ConsentWording.objects.filter(kind=ConsentWording.Kind.CONTACT).count() == 2


def test_visitor_outside_the_uk_signs_without_a_postcode(client, petition):
    response = sign(client, petition, postcode="", outside_uk="on")

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.postcode, signature.region) == ("", "outside-uk")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter your first name"),
        ({"first_name": "   "}, "first_name", "Enter your first name"),
        # Zero-width characters, joiners, bidirectional controls, soft hyphens: they show nothing.
        ({"first_name": "\u200b\u200c\u200d\u200e\u200f"}, "first_name", "Enter your first name"),
        ({"first_name": "\u202a\u202b\u202c \u202d\u202e"}, "first_name", "Enter your first name"),
        ({"last_name": "\u2066\u2067\u2068\u2069\ufeff\u00ad"}, "last_name", "Enter your last name"),
        ({"last_name": "\u3164\u2060\u2800"}, "last_name", "Enter your last name"),
        ({"first_name": "J" * 101}, "first_name", "First name must be 100 characters or fewer"),
        ({"last_name": ""}, "last_name", "Enter your last name"),
        ({"last_name": "D" * 101}, "last_name", "Last name must be 100 characters or fewer"),
        ({"email": ""}, "email", "Enter your email address"),
        ({"email": "jane@"}, "email", "Enter an email address in the correct format, like name@example.com"),
        ({"postcode": ""}, "postcode", "Enter your postcode, or tick 'I live outside the UK'"),
        ({"postcode": "QQ1 1AA"}, "postcode", "Enter a real UK postcode, like SW1A 1AA"),
        ({"postcode": "SW1A 1CI"}, "postcode", "Enter a real UK postcode, like SW1A 1AA"),
        ({"postcode": "not a postcode"}, "postcode", "Enter a real UK postcode, like SW1A 1AA"),
        (
            {"outside_uk": "on"},
            "postcode",
            "Leave the postcode empty if you live outside the UK, or untick 'I live outside the UK'",
        ),
    ],
)
def test_each_mistake_is_explained_beside_its_field_and_in_the_summary(
    client, petition, overrides, field, message
):
    response = sign(client, petition, **overrides)

    page = soup(response)
    assert response.status_code == 200
    field_id = f"p{petition.pk}_{field}"
    summary = page.select_one(".error-summary")
    assert [(link["href"], text(link)) for link in summary.select("a")] == [(f"#{field_id}", message)]
    assert text(page.find(id=f"{field_id}_error")).endswith(message)
    assert page.find(id=field_id)["aria-invalid"] == "true"
    assert text(page.title).startswith("Error: ")
    assert Signature.objects.count() == 0


def test_characters_that_show_nothing_are_taken_out_of_a_name_before_it_is_kept(client, petition):
    response = sign(client, petition, first_name="\u200bJa\u00adne\u202e", last_name="\ufeffDoughty\u2069")

    assert response.status_code == 302
    assert Signature.objects.values_list("first_name", "last_name").get() == ("Jane", "Doughty")


def test_names_in_scripts_of_every_kind_are_kept_as_written(client, petition):
    sign(client, petition, first_name="Zoë", last_name="Nguyễn-O'Brien")
    sign(client, petition, email="other@example.org", first_name="محمد", last_name="李")

    assert sorted(Signature.objects.values_list("first_name", "last_name")) == [
        ("Zoë", "Nguyễn-O'Brien"),
        ("محمد", "李"),
    ]


def test_values_are_kept_after_an_error(client, petition):
    response = sign(client, petition, first_name="", email="kept@example.org", postcode="M1 1AE")

    html = response.content.decode()
    assert 'value="kept@example.org"' in html
    assert 'value="M1 1AE"' in html
    assert 'value="Doughty"' in html
    # The consent boxes keep their labels, in the petition's words, when the form comes back.
    page = soup(html)
    for name, wording in [
        ("contact_consent", petition.contact_consent_wording),
        ("show_publicly", petition.show_publicly_wording),
    ]:
        label = page.find("label", attrs={"for": f"p{petition.pk}_{name}"})
        assert label is not None and wording in text(label)


def test_form_fields_help_browsers_and_assistive_technology(client, petition):
    html = client.get(petition.url).content.decode()

    assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"', html)
    assert re.search(r'<input type="text" name="first_name"[^>]*autocomplete="given-name"', html)
    assert re.search(r'<input type="text" name="last_name"[^>]*autocomplete="family-name"', html)
    assert re.search(r'<input type="text" name="postcode"[^>]*autocomplete="postal-code"', html)
    assert text(soup(html).find("label", attrs={"for": f"p{petition.pk}_email"})) == "Email address"
    assert re.search(r'<input type="checkbox" name="contact_consent"(?![^>]*checked)', html)
    assert re.search(r'<input type="checkbox" name="show_publicly"(?![^>]*checked)', html)
    assert escape(petition.contact_consent_wording) in html


@pytest.mark.django_db(transaction=True)
def test_signing_twice_with_the_same_email_in_another_case_keeps_one_signature(client, petition, mailoutbox):
    first = sign(client, petition, email="jane@example.org")
    second = sign(client, petition, email="  JANE@Example.ORG ", first_name="Janet")

    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    signature = Signature.objects.get()
    assert signature.first_name == "Jane"
    run_worker()
    # Within the resend interval, the second attempt does not mail again.
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_repeat_signing_of_an_unconfirmed_signature_sends_the_link_again(
    client, petition, mailoutbox, settings
):
    settings.PETITION_CONFIRMATION_RESEND_SECONDS = 0
    sign(client, petition, email="jane@example.org")
    run_worker()

    sign(client, petition, email="Jane@example.org")
    run_worker()

    assert Signature.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["jane@example.org"], ["jane@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_repeat_signing_after_confirmation_sends_nothing(client, petition, mailoutbox, settings):
    settings.PETITION_CONFIRMATION_RESEND_SECONDS = 0
    sign(client, petition, email="jane@example.org")
    run_worker()
    press_confirm(client, confirmation_path(mailoutbox[0]))

    response = sign(client, petition, email="jane@example.org")
    run_worker()

    assert response.status_code == 302
    assert len(mailoutbox) == 1


def statements_and_callbacks_of_signing(client, petition, email, capture_on_commit_callbacks):
    """The SQL a sign request runs (values blanked) and the number of its after-commit callbacks."""
    with CaptureQueriesContext(connection) as queries, capture_on_commit_callbacks() as callbacks:
        response = sign(client, petition, email=email)
    assert response.status_code == 302
    assert response.url == reverse("petitions:check_email", args=[petition.pk])
    # Values, and the numbered names of savepoints.
    literals = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|(?<=_x)\d+")
    return [literals.sub("?", query["sql"]) for query in queries], len(callbacks)


@pytest.mark.parametrize(
    "confirmation_required", [True, False], ids=["confirmed-by-email", "counted-at-once"]
)
def test_a_repeat_email_costs_the_same_work_as_a_new_one_so_timing_tells_nothing(
    client, plain_home_page, confirmation_required, django_capture_on_commit_callbacks
):
    petition = PetitionPageFactory(parent=plain_home_page, confirmation_required=confirmation_required)
    sign(client, petition, email="warm-up@example.org")
    sign(client, petition, email="signed@example.org")
    confirmed = SignatureFactory(
        petition=petition, email="confirmed@example.org", confirmed_at=timezone.now()
    )

    new = statements_and_callbacks_of_signing(
        client, petition, "new@example.org", django_capture_on_commit_callbacks
    )
    unconfirmed_repeat = statements_and_callbacks_of_signing(
        client, petition, "SIGNED@example.org", django_capture_on_commit_callbacks
    )
    confirmed_repeat = statements_and_callbacks_of_signing(
        client, petition, confirmed.email, django_capture_on_commit_callbacks
    )

    assert new == unconfirmed_repeat == confirmed_repeat
    assert Signature.objects.filter(petition=petition).count() == 4


@pytest.mark.django_db(transaction=True)
def test_repeat_signing_of_an_invalidated_signature_sends_nothing(client, petition, mailoutbox, settings):
    settings.PETITION_CONFIRMATION_RESEND_SECONDS = 0
    sign(client, petition, email="bot@example.org")
    run_worker()
    Signature.objects.update(invalidated_at=timezone.now(), invalidation_reason="Bots")

    response = sign(client, petition, email="bot@example.org")
    run_worker()

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert Signature.objects.get().mail_status == MailStatus.SENT


def test_same_email_may_sign_two_petitions(client, petition, plain_home_page):
    other = PetitionPageFactory(parent=plain_home_page)

    sign(client, petition, email="jane@example.org")
    sign(client, other, email="jane@example.org")

    assert Signature.objects.count() == 2


def test_petition_without_confirmation_counts_at_once_and_sends_no_mail(client, plain_home_page, mailoutbox):
    petition = PetitionPageFactory(parent=plain_home_page, confirmation_required=False)

    response = sign(client, petition)

    assert response.status_code == 302
    assert "Thank you for signing" in client.get(response.url).content.decode()
    signature = Signature.objects.get()
    assert signature.confirmed_at is not None
    assert signature.mail_status == MailStatus.NOT_NEEDED
    assert not DBTaskResult.objects.filter(task_path__startswith="petitions.").exists()
    assert public_count(client, petition) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"closes_at": timezone.now() - timedelta(days=1)}, "This petition closed on"),
        ({"opens_at": timezone.now() + timedelta(days=1)}, "This petition opens for signatures on"),
    ],
)
def test_closed_and_not_yet_open_petitions_show_no_form_and_refuse_signatures(
    client, plain_home_page, fields, message
):
    petition = PetitionPageFactory(parent=plain_home_page, **fields)

    page = client.get(petition.url).content.decode()
    assert message in page
    assert 'name="form_token"' not in page

    response = sign(client, petition)
    assert response.status_code == 403
    assert message in response.content.decode()
    assert Signature.objects.count() == 0


def test_unpublished_petition_refuses_signatures(client, petition):
    petition.unpublish()

    response = sign(client, petition)

    assert response.status_code == 403
    assert "This petition is not published, so it cannot be signed." in response.content.decode()
    assert client.get(petition.url).status_code == 404
    assert Signature.objects.count() == 0


def test_petition_reopens_only_within_its_window(client, plain_home_page):
    petition = PetitionPageFactory(
        parent=plain_home_page,
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(hours=1),
    )

    assert sign(client, petition).status_code == 302


def test_get_on_the_sign_url_is_not_allowed(client, petition):
    assert client.get(reverse("petitions:sign", args=[petition.pk])).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_confirmation_link_that_was_tampered_with_is_refused(client, petition, mailoutbox):
    sign(client, petition)
    run_worker()
    path = confirmation_path(mailoutbox[0])
    signature_id = Signature.objects.get().pk

    response = client.get(path.replace(f"/confirm/{signature_id}:", f"/confirm/{signature_id + 1}:"))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert Signature.objects.get().confirmed_at is None


@pytest.mark.django_db(transaction=True)
def test_expired_confirmation_link_asks_to_sign_again(client, petition, mailoutbox, settings):
    sign(client, petition)
    run_worker()
    settings.PETITION_CONFIRMATION_MAX_AGE_DAYS = -1

    response = client.get(confirmation_path(mailoutbox[0]))

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Signature.objects.get().confirmed_at is None


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_mail_scanner_opening_the_link_confirms_nothing(client, petition, method):
    signature = SignatureFactory(petition=petition, email="scanned@example.org")
    token = make_confirmation_token(signature.pk)
    path = reverse("petitions:confirm", args=[token])

    answers = [getattr(Client(), method)(path) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200] * 3
    signature.refresh_from_db()
    assert signature.confirmed_at is None
    assert public_count(client, petition) == 0
    html = client.get(path).content.decode()
    assert "Confirm my signature" in html
    assert re.search(r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html)
    # The form posts back to the link; the token is nowhere in the page.
    assert token not in html
    assert "Thank you for standing with children." not in html


def test_pressing_confirm_twice_counts_once_and_the_link_then_shows_the_thanks(petition):
    signature = SignatureFactory(petition=petition, email="twice@example.org")
    path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path).content.decode()
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    presses = [post_form(browser, path, {"csrfmiddlewaretoken": csrf_token}) for _ in range(2)]

    assert [(press.status_code, press.url) for press in presses] == [(302, path)] * 2
    signature.refresh_from_db()
    assert signature.confirmed_at is not None
    assert public_count(browser, petition) == 1
    again = browser.get(path).content.decode()
    assert "Thank you: your signature is confirmed" in again
    assert "Confirm my signature" not in again


def test_confirm_button_without_the_csrf_token_confirms_nothing(petition):
    signature = SignatureFactory(petition=petition, email="forged@example.org")
    path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])

    response = post_form(Client(enforce_csrf_checks=True), path)

    assert response.status_code == 403
    signature.refresh_from_db()
    assert signature.confirmed_at is None


@pytest.mark.parametrize(("max_age_days", "status"), [(-1, 410), (14, 404)])
def test_expired_or_broken_links_keep_their_pages_when_the_button_is_pressed(
    client, petition, settings, max_age_days, status
):
    signature = SignatureFactory(petition=petition, email="late@example.org")
    token = make_confirmation_token(signature.pk)
    if status == 404:
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    settings.PETITION_CONFIRMATION_MAX_AGE_DAYS = max_age_days

    response = post_form(client, reverse("petitions:confirm", args=[token]))

    assert response.status_code == status
    assert (
        "This link has expired" if status == 410 else "This link does not work"
    ) in response.content.decode()
    signature.refresh_from_db()
    assert signature.confirmed_at is None


@pytest.mark.django_db(transaction=True)
def test_confirmation_link_holds_only_the_signature_id(client, petition, mailoutbox):
    sign(client, petition, email="jane@example.org")
    run_worker()

    path = confirmation_path(mailoutbox[0])

    assert "jane" not in path.lower()
    assert path.split("/")[3].split(":")[0] == str(Signature.objects.get().pk)


def test_signing_costs_the_same_queries_however_many_have_signed(client, petition):
    sign(client, petition, email="first@example.org")
    with CaptureQueriesContext(connection) as first:
        sign(client, petition, email="second@example.org")
    for n in range(20):
        sign(client, petition, email=f"p{n}@example.org")

    with CaptureQueriesContext(connection) as later:
        sign(client, petition, email="last@example.org")

    assert len(later) == len(first)
    assert len(later) <= 8


def record_counters(petition):
    rows = RecordCount.objects.filter(petition=petition).values_list("measure", "count")
    totals = {Measure.RECEIVED: 0, Measure.AWAITING: 0}
    for measure, count in rows:
        totals[measure] = totals.get(measure, 0) + count
    return totals[Measure.RECEIVED], totals[Measure.AWAITING]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_signature_and_its_record_counters_are_one_statement_in_no_transaction_block(client, petition):
    """On PostgreSQL the statement is its own transaction: no BEGIN or COMMIT round trips around it."""
    sign(client, petition, email="first@example.org")
    before = record_counters(petition)
    in_transaction_block = []

    def note_transaction_block(execute, sql, params, many, context):
        if "petitions_signature" in sql:
            in_transaction_block.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(note_transaction_block):
        response = sign(client, petition, email="second@example.org")
    # Read before the next request, which starts the connection's query log again.
    written = [query["sql"] for query in queries if "petitions_" in query["sql"]]
    sign(client, petition, email="FIRST@example.org")  # a repeat: +0

    assert response.status_code == 302
    assert len(written) == 1
    assert "petitions_signature" in written[0]
    assert "petitions_recordcount" in written[0]
    assert in_transaction_block == [False]
    assert record_counters(petition) == (before[0] + 1, before[1] + 1)
    assert Signature.objects.filter(petition=petition).count() == 2


def test_the_statements_parameters_are_what_the_model_itself_would_insert(petition):
    """`signature_params` skips building a Signature: a field given a default that must be computed per
    row, or a value that needs preparing, must still come out as Django would prepare it."""
    now = timezone.now()
    values = {
        "petition_id": petition.pk,
        "first_name": "Jane",
        "last_name": "Doughty",
        "email": "jane@example.org",
        "postcode": "SW1A 1AA",
        "region": "london",
        "created_at": now,
        "confirmed_at": None,
        "contact_consent": True,
        "contact_consent_wording_id": 1,
        "show_publicly": False,
        "show_publicly_wording_id": 2,
        "privacy_notice_version": "3/4",
        "ip_hash": "ab" * 32,
        "source": "",
        "mail_status": MailStatus.QUEUED,
        "mail_queued_at": now,
    }
    model = Signature(**values)
    fields = [f for f in Signature._meta.concrete_fields if not f.primary_key]

    expected = [f.get_db_prep_save(f.pre_save(model, add=True), connection) for f in fields]

    assert signature_params(values) == expected


def test_signing_again_reads_neither_the_page_nor_the_wordings_from_the_database(client, petition):
    sign(client, petition, email="first@example.org")

    with CaptureQueriesContext(connection) as queries:
        response = sign(client, petition, email="second@example.org")

    assert response.status_code == 302
    sql = " ".join(query["sql"] for query in queries)
    assert "wagtailcore_page" not in sql
    assert "petitions_consentwording" not in sql
    assert Signature.objects.count() == 2


# On Redis the petition's facts are read in the sign POST's one script; the local cache reads them apart.
@pytest.mark.parametrize("cache", ["local memory", "redis"])
def test_a_petition_closed_after_someone_signed_refuses_the_next_signature(client, petition, cache, request):
    if cache == "redis":
        request.getfixturevalue("shared_redis_cache")
    sign(client, petition, email="first@example.org")
    petition.closes_at = timezone.now() - timedelta(minutes=1)
    petition.save()

    response = sign(client, petition, email="second@example.org")

    assert response.status_code == 403
    assert "This petition closed on" in response.content.decode()
    assert Signature.objects.count() == 1


def test_a_privacy_notice_published_again_is_recorded_from_the_next_signature(
    client, petition, plain_home_page, django_capture_on_commit_callbacks
):
    notice = plain_home_page.add_child(instance=Page(title="Privacy notice", slug="privacy"))
    notice.save_revision().publish()
    petition.privacy_notice = notice
    petition.save_revision().publish()
    sign(client, petition, email="first@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        notice.save_revision().publish()
    sign(client, petition, email="second@example.org")

    notice.refresh_from_db()
    first, second = Signature.objects.order_by("pk")
    assert first.privacy_notice_version != second.privacy_notice_version
    assert second.privacy_notice_version == f"{notice.pk}/{notice.live_revision_id}"


@pytest.mark.django_db(transaction=True)
def test_signing_goes_on_when_the_cached_wordings_are_gone_from_the_database(client, petition, caplog):
    """As after restoring an older database under a running cache: the facts are read again."""
    sign(client, petition, email="first@example.org")
    Signature.objects.all().delete()
    ConsentWording.objects.all().delete()

    response = sign(client, petition, email="second@example.org")

    assert response.status_code == 302
    assert "were out of date" in caplog.text
    signature = Signature.objects.get()
    assert signature.contact_consent_wording.text == petition.contact_consent_wording
    assert signature.show_publicly_wording.text == petition.show_publicly_wording


@pytest.mark.django_db
def test_confirmed_page_offers_the_share_links_of_the_share_block(client, petition):
    signature = SignatureFactory(petition=petition, email="sharer@example.org")

    confirm_url = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])

    html = client.get(press_confirm(client, confirm_url).url).content.decode()

    share_url = quote(petition.get_full_url() + "?source=facebook-share", safe="")
    assert f"https://www.facebook.com/sharer/sharer.php?u={share_url}" in html
    for network in ("facebook", "x", "whatsapp", "email"):
        assert f"share-links__link--{network}" in html
    assert "share-links__link--linkedin" not in html
