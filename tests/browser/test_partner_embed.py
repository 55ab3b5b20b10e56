"""A partner's page on another origin frames the petition, and a visitor signs through the frame.

The partner's page is served by a tiny HTTP server of its own on 127.0.0.2 (another loopback address,
so another site than the live server's localhost); the frame's page comes from the live server. Chromium
runs with JavaScript off, so the frame has to work as plain HTML; no cookie is set on either site.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from petitions.models import EmbedPartner, Signature
from petitions.models.embeds import normalise_origins

from .conftest import axe

pytestmark = pytest.mark.browser


class _PartnerSite(ThreadingHTTPServer):
    """A partner's site: one page, at every path, whose HTML the test sets once it knows the frame's URL."""

    html = ""

    @property
    def origin(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _PartnerPage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner_site():
    """A page on 127.0.0.2: another loopback address, so another site than the live server's localhost."""
    server = _PartnerSite(("127.0.0.2", 0), _PartnerPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def partner_html(frame_src):
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A partner</title></head><body>'
        "<h1>Our campaign partner's page</h1>"
        f'<iframe src="{frame_src}" title="Sign the open letter" width="100%" height="1150" loading="lazy">'
        "</iframe></body></html>"
    )


def test_a_visitor_signs_through_a_partners_frame_on_another_origin(
    demo_site, live_server, partner_site, open_browser, settings
):
    settings.PETITION_EMBED_ALLOW_HTTP_LOOPBACK = True
    petition = demo_site["petition"]
    partner = EmbedPartner.objects.create(
        name="Barnardo's",
        petition=petition,
        source_code="partner-barnardos",
        allowed_origins="\n".join(normalise_origins(partner_site.origin)),
    )
    frame_src = live_server.url + reverse("petitions:embed", args=[petition.pk, partner.source_code])
    partner_site.html = partner_html(frame_src)

    page = open_browser(phone=True, javascript=False)
    page.goto(partner_site.origin + "/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text(petition.title)
    frame.get_by_label("First name", exact=True).fill("Sam")
    frame.get_by_label("Last name", exact=True).fill("Okafor")
    frame.get_by_label("Email address", exact=True).fill("sam.okafor@example.org")
    frame.get_by_label("Postcode", exact=True).fill("SW1A 1AA")
    frame.get_by_role("button", name="Sign the open letter").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Check your email")
    # The partner's page is still there around the frame.
    expect(page.get_by_role("heading", level=1)).to_have_text("Our campaign partner's page")

    signature = Signature.objects.get(email="sam.okafor@example.org")
    assert signature.source == "partner-barnardos"
    assert page.context.cookies() == []


def test_a_site_not_listed_for_the_partner_cannot_frame_the_petition(
    demo_site, live_server, partner_site, open_browser
):
    petition = demo_site["petition"]
    partner = EmbedPartner.objects.create(
        name="Barnardo's",
        petition=petition,
        source_code="partner-barnardos",
        allowed_origins="https://www.barnardos.org.uk",
    )
    frame_src = live_server.url + reverse("petitions:embed", args=[petition.pk, partner.source_code])
    partner_site.html = partner_html(frame_src)
    page = open_browser(phone=True)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    # The load event waits for the frame too, shown or refused.
    page.goto(partner_site.origin + "/", wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our campaign partner's page")
    frame = page.frames[1]
    # Chromium refuses to show the frame (frame-ancestors names only the partner's listed site): in its
    # place is Chromium's error page, without the form.
    assert frame.locator("form.sign-form").count() == 0
    assert frame.url != frame_src
    assert any("frame-ancestors" in message for message in messages), messages


def test_the_embed_has_no_serious_accessibility_problems(demo_site, live_server, open_browser, screenshot):
    petition = demo_site["petition"]
    partner = EmbedPartner.objects.create(
        name="Barnardo's", petition=petition, source_code="partner-barnardos", allowed_origins="https://x.org"
    )
    page = open_browser(phone=True, bypass_csp=True)
    page.goto(reverse("petitions:embed", args=[petition.pk, partner.source_code]))
    problems = axe(page)
    screenshot(page, "partner-embed", docs=True)
    page.get_by_role("button", name="Sign the open letter").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems += axe(page)
    page.get_by_label("First name", exact=True).fill("Sam")
    page.get_by_label("Last name", exact=True).fill("Okafor")
    page.get_by_label("Email address", exact=True).fill("sam.okafor@example.org")
    page.get_by_label("I live outside the UK").check()
    page.get_by_role("button", name="Sign the open letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    problems += axe(page)
    assert problems == []
