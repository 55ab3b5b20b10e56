"""The petition block other pages embed: count, progress, and a button or the form."""

from datetime import timedelta

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from petitions.blocks import PetitionBlock
from petitions.signing.signatures import confirm_signature
from tests.html import soup, text

from .factories import PetitionPageFactory, SignatureFactory


def render(petition, display="link", heading=""):
    block = PetitionBlock()
    value = block.to_python({"petition": petition.pk, "display": display, "heading": heading})
    return block.render(value, context={"request": RequestFactory().get("/")})


def test_block_shows_count_progress_and_a_link_to_sign(petition):
    confirm_signature(SignatureFactory(petition=petition, email="a@example.org").pk)

    block = soup(render(petition))

    assert text(block.find(id=f"petition-block-{petition.pk}-heading")) == petition.title
    assert text(block.select_one("[data-petition-count]")) == "1"
    bar = block.select_one("progress.petition-count__bar")
    assert (bar["max"], bar["value"]) == ("1000", "1")
    assert block.find("a", href=f"{petition.url}#sign")
    assert not block.find(attrs={"name": "form_token"})


def test_block_can_hold_the_sign_form(petition):
    html = render(petition, display="form", heading="Add your name")

    assert text(soup(html).h2) == "Add your name"
    assert f'action="/petitions/{petition.pk}/sign/"' in html
    assert 'name="form_token"' in html


def test_block_of_a_closed_petition_says_so_instead_of_offering_to_sign(plain_home_page):
    petition = PetitionPageFactory(parent=plain_home_page, closes_at=timezone.now() - timedelta(days=1))

    html = render(petition, display="form")

    assert "This petition closed on" in html
    assert 'name="form_token"' not in html
    assert "#sign" not in html


def test_block_of_an_unpublished_petition_renders_nothing(petition):
    petition.unpublish()

    assert render(petition).strip() == ""


def test_block_queries_do_not_grow_with_signatures(petition):
    render(petition)
    with CaptureQueriesContext(connection) as few:
        render(petition)
    for n in range(20):
        confirm_signature(SignatureFactory(petition=petition, email=f"p{n}@example.org").pk)

    with CaptureQueriesContext(connection) as many:
        render(petition)

    assert len(many) == len(few)


def test_block_is_described_for_the_block_picker(petition):
    block = PetitionBlock()

    assert block.meta.description
    assert block.is_previewable
    preview = block.get_preview_value()
    assert preview["petition"] == petition
    assert "petition-count" in block.render(preview, context={"request": RequestFactory().get("/")})


def test_block_picker_shows_a_sample_before_any_petition_is_live(db):
    block = PetitionBlock()

    html = block.render(block.get_preview_value(), context={"request": RequestFactory().get("/")})

    assert text(soup(html).h2) == "Open letter to Facebook"
    assert text(soup(html).select_one("[data-petition-count]")) == "12,345"
    assert "data-petition-count-url" not in html
