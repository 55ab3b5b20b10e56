"""The sending batch's shortcut (petitions.updates.batch_mail): each signer's mail filled into one
composition must be, byte for byte, what composing it in full and Django's SMTP backend would send;
where it cannot promise that, it declines and the mail is composed in full."""

import re

import pytest
from django.core.mail.message import sanitize_address
from django.utils import timezone

from petitions.models import Audience, DeliveryStatus, PetitionUpdate, UpdateDelivery, UpdateStatus
from petitions.selfservice.links import signer_page_url, site_root_url
from petitions.updates import batch_mail
from petitions.updates.batch_mail import BatchComposer
from petitions.updates.mail import compose_update_message
from petitions.updates.sending import SendingRun, start_sending
from petitions.updates.unsubscribe import add_unsubscribe_headers, unsubscribe_url
from tests.faults.services import SmtpSink, free_port, mail_through

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db

BODY = (
    "<h2>We did it</h2><p>On Monday we handed <b>the open letter</b> in — “every signature”.</p>"
    '<ul><li>One</li><li>Two &amp; three</li></ul><p><a href="https://example.org/report">Read it</a></p>'
)


def update_for(petition, body=BODY, audience=Audience.CAMPAIGN_NEWS):
    return PetitionUpdate.objects.create(
        petition=petition,
        audience=audience,
        subject="The letter was delivered — what next",
        body=body,
        status=UpdateStatus.APPROVED,
    )


def signer(petition, email, first_name):
    return SignatureFactory(
        petition=petition,
        email=email,
        first_name=first_name,
        contact_consent=True,
        confirmed_at=timezone.now(),
    )


def links(update, signature):
    return unsubscribe_url(site_root_url(update.petition), signature.pk), signer_page_url(
        signature, update.petition
    )


def composed_in_full(update, signature, unsubscribe, page):
    """What the mail composed in full puts on the wire through Django's SMTP backend."""
    message = compose_update_message(update, signature, unsubscribe, page)
    add_unsubscribe_headers(message, unsubscribe)
    return message.message().as_bytes(linesep="\r\n")


def normalised(data):
    """The bytes with what differs between any two messages (Date, Message-ID, MIME boundary) fixed."""
    boundary = re.search(rb'boundary="([^"]+)"', data).group(1)
    data = data.replace(boundary, b"BOUNDARY")
    data = re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\nDate: DATE\r\n", data)
    return re.sub(rb"\r\nMessage-ID: <[^>\r]+>\r\n", b"\r\nMessage-ID: ID\r\n", data)


def without_page_token(data):
    return re.sub(rb"/petitions/you/[^/]+/", b"/petitions/you/TOKEN/", data)


@pytest.mark.parametrize(
    ("email", "first_name"),
    [
        ("ann@example.org", "Ann"),
        ("no.name@example.org", ""),
        ("Zoe.Smith+news@Example.org", "Zoë"),
        ("obrien@example.org", "Seán & O'Brien <3"),
        ("a-very-long-address-of-someone-who-likes-long-addresses.too@subdomain.example.org", "Li"),
    ],
)
@pytest.mark.parametrize("body", [BODY, "<p>Plain ASCII only.</p>"])
def test_a_filled_in_mail_is_byte_for_byte_the_mail_composed_in_full(petition, email, first_name, body):
    update = update_for(petition, body)
    signature = signer(petition, email, first_name)
    composer = BatchComposer(update)

    # Made once for both: the signer page's link holds the time it was made.
    signer_links = links(update, signature)

    fast = composer.message_bytes(signature.email, signature.first_name, *signer_links)

    assert fast is not None
    assert normalised(fast) == normalised(composed_in_full(update, signature, *signer_links))
    assert composer.from_email == "Wild West Web <campaign@localhost>"


def test_the_outcome_wording_is_filled_in_too(petition):
    petition.tells_outcome = True
    petition.save()
    update = update_for(petition, audience=Audience.OUTCOME)
    signature = signer(petition, "cy@example.org", "Cy")

    signer_links = links(update, signature)

    fast = BatchComposer(update).message_bytes(signature.email, signature.first_name, *signer_links)

    assert b"tell you the outcome of the letter" in fast
    assert normalised(fast) == normalised(composed_in_full(update, signature, *signer_links))


@pytest.mark.parametrize(
    ("email", "first_name"),
    [
        ("josé@example.org", "José"),  # an address sanitize_address would encode
        ('"quoted local"@example.org', "Q"),
        ("tab@example.org", "Ann\tBob"),  # a name the templates' line handling could change
    ],
)
def test_a_signer_the_shortcut_cannot_promise_is_left_to_the_full_composition(petition, email, first_name):
    update = update_for(petition)
    composer = BatchComposer(update)

    assert (
        composer.message_bytes(email, first_name, "https://x.example/u/1/", "https://x.example/p/1/") is None
    )


def test_an_update_with_a_line_past_the_limit_is_left_to_the_full_composition(petition):
    # Django sends a part with a line over 998 bytes as quoted-printable, which the filling does not do.
    update = update_for(petition, body="<p>" + "word " * 300 + "</p>")
    signature = signer(petition, "ann@example.org", "Ann")

    signer_links = links(update, signature)

    assert BatchComposer(update).message_bytes(signature.email, "Ann", *signer_links) is None
    assert b"quoted-printable" in composed_in_full(update, signature, *signer_links)


def test_a_composition_the_filling_does_not_match_is_caught_by_the_probe(petition, monkeypatch):
    real = batch_mail.compose_update_message

    def shouting(update, signature, unsubscribe, page):
        signature.first_name = signature.first_name.upper()
        return real(update, signature, unsubscribe, page)

    monkeypatch.setattr(batch_mail, "compose_update_message", shouting)
    update = update_for(petition)
    signature = signer(petition, "ann@example.org", "Ann")

    assert BatchComposer(update).message_bytes(signature.email, "Ann", *links(update, signature)) is None


class RawSink(SmtpSink):
    """The test SMTP server, keeping each message's bytes as they came over the wire."""

    def __init__(self, port):
        super().__init__(port)
        self.raw = {}

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.raw.setdefault(address, []).append(envelope.original_content)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def raw_sink(settings):
    with mail_through(RawSink(free_port()), settings) as sink:
        yield sink


def test_a_batch_over_smtp_sends_each_signer_the_bytes_of_their_full_composition(
    petition, raw_sink, monkeypatch
):
    filled = []
    real = BatchComposer.message_bytes

    def noting(composer, *args):
        data = real(composer, *args)
        filled.append(data is not None)
        return data

    monkeypatch.setattr(BatchComposer, "message_bytes", noting)
    signatures = [
        signer(petition, "ann@example.org", "Ann"),
        signer(petition, "zoe@example.org", "Zoë"),
        signer(petition, "jose@exämple.org", "José"),  # composed in full: its domain is encoded
        signer(petition, "nobody@example.org", ""),
    ]
    SignatureFactory(petition=petition, email="no-consent@example.org", confirmed_at=timezone.now())
    update = update_for(petition)
    start_sending(update.pk)
    update.refresh_from_db()

    assert SendingRun(update.pk, update.sending_run).send_batch() == 4
    assert sorted(filled) == [False, True, True, True]  # José's, to an IDN domain, composed in full

    by_address = {sanitize_address(signature.email, "utf-8"): signature for signature in signatures}
    assert sorted(raw_sink.raw) == sorted(by_address) == sorted(raw_sink.recipients())
    assert "jose@xn--exmple-cua.org" in by_address
    for address, received in raw_sink.raw.items():
        assert len(received) == 1
        expected = composed_in_full(update, by_address[address], *links(update, by_address[address]))
        # The signer page's token holds the second it was made: the same but for that.
        assert without_page_token(normalised(received[0])) == without_page_token(normalised(expected))
    assert set(UpdateDelivery.objects.filter(update=update).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Date", "Wed, 02 Dec 2026 21:13:57 -0000"),
        ("Message-ID", "<178000000000.1234.5678901234567890@worker-1.example.org>"),
        ("To", "ann@example.org"),
        ("To", "a-very-long-address-of-someone-who-likes-long-addresses.too@subdomain.example.org"),
        ("List-Unsubscribe", "<https://x.example/u/1:a/>"),
        ("List-Unsubscribe", "<https://campaign.example.org/petitions/unsubscribe/123456:" + "a" * 43 + "/>"),
        ("X-Spaced", "two  spaces and a fold " * 5),
    ],
)
def test_a_header_is_folded_as_the_email_package_folds_it(name, value):
    assert batch_mail._folded(name, value) == batch_mail._WIRE_POLICY.fold_binary(name, value)
