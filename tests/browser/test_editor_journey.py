"""Journey 1: an editor writes a news article in the Wagtail admin; a moderator approves it; it is live.

The article has rich text, a pull quote and a statistic widget; the editor checks it in the preview
panel and submits it to the "Campaign review" workflow that `load_demo` sets up.
"""

import re

import pytest
from playwright.sync_api import expect

from campaign.models import NewsArticlePage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Police figures show the scale of abuse on Facebook's apps"
WIDGET = "Child sex offences on Facebook apps every day"
FIGURE = "11 a day"


def log_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def insert_block(page, stream, name):
    stream.get_by_title("Insert a block").last.click()
    page.get_by_role("option", name=name, exact=True).click()


def test_editor_writes_an_article_a_moderator_approves_it_and_it_goes_live(
    demo_site, open_browser, screenshot, editor, moderator
):
    news_index = demo_site["news_index"]

    editor_page = open_browser(phone=False)
    log_in(editor_page, editor.username)
    editor_page.goto(f"/admin/pages/{news_index.pk}/")
    editor_page.get_by_role("link", name="Add child page").first.click()
    editor_page.get_by_placeholder("Page title*").fill(TITLE)
    editor_page.get_by_role("textbox", name="Standfirst").fill("Police recorded more than 4,000 offences.")
    body = editor_page.locator("#panel-child-content-body-section")
    insert_block(editor_page, body, "Text")
    body.get_by_role("textbox").last.click()
    editor_page.keyboard.type("Freedom of Information answers from 32 police forces show the scale.")
    insert_block(editor_page, body, "Pull quote")
    body.get_by_role("textbox", name=re.compile("^Quote")).fill("Give offenders no place to hide.")
    body.get_by_role("textbox", name=re.compile("^Speaker")).fill("Andy Burrows")
    insert_block(editor_page, body, "Statistic")
    body.get_by_role("button", name="Choose statistic widget").click()
    editor_page.get_by_role("dialog").get_by_role("link", name=WIDGET).click()
    expect(body.locator("[data-chooser-title]")).to_have_text(WIDGET)

    editor_page.get_by_role("button", name="Toggle preview").click()
    preview = editor_page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(preview.locator("blockquote")).to_contain_text("Give offenders no place to hide.")
    expect(preview.locator(".statistic")).to_contain_text(FIGURE)
    screenshot(editor_page, "editor_page-preview")

    editor_page.get_by_role("button", name="Save draft").click()
    expect(editor_page.locator(".messages")).to_contain_text("created")
    editor_page.get_by_role("button", name="More actions").click()
    editor_page.get_by_role("button", name="Submit to Campaign review").click()
    expect(editor_page.locator(".messages")).to_contain_text("submitted")
    article = NewsArticlePage.objects.get(title=TITLE)
    assert not article.live

    visitor = open_browser(phone=True)
    assert visitor.goto(f"{news_index.url}{article.slug}/").status == 404

    moderator_page = open_browser(phone=False)
    log_in(moderator_page, moderator.username)
    review = moderator_page.locator("#awaiting-review-section")
    expect(review.get_by_role("link", name=TITLE)).to_be_visible()
    screenshot(moderator_page, "awaiting-review")
    review.get_by_role("button", name="Actions").click()
    review.get_by_role("button", name="Approve", exact=True).click()
    expect(review).to_have_count(0)

    article.refresh_from_db()
    assert article.live
    response = visitor.goto(article.url)
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.locator("blockquote")).to_contain_text("Give offenders no place to hide.")
    widget = visitor.locator(".statistic", has_text=WIDGET)
    expect(widget).to_contain_text(FIGURE)
    screenshot(visitor, "live-article")


def test_editor_presses_save_straight_after_typing_a_new_pages_title_and_it_is_created_once(
    demo_site, open_browser, editor
):
    """Wagtail's autosave (on, as in `make run`) never creates a new page behind the editor's back: a
    Save pressed at once is the one create. (That the editor of an existing page still autosaves is
    tests/campaign/test_editorial.py's.)"""
    news_index = demo_site["news_index"]
    page = open_browser(phone=False)
    log_in(page, editor.username)
    page.goto(f"/admin/pages/{news_index.pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    add_path = page.url.removeprefix(page.url.split("/admin/")[0])
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    page.get_by_placeholder("Page title*").press_sequentially("Figures from the police")
    page.get_by_role("textbox", name="Standfirst").fill("Police recorded more than 4,000 offences.")
    # The admin's own script makes the slug from the title as it is typed.
    expect(page.locator("#id_slug")).to_have_value("figures-from-the-police")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages")).to_contain_text("Page 'Figures from the police' created.")
    created = NewsArticlePage.objects.get(title="Figures from the police")
    assert [url for url in posts if url.endswith(add_path)] == [posts[0]], "one create, the button's"
    assert page.url.endswith(f"/admin/pages/{created.pk}/edit/")

    assert NewsArticlePage.objects.filter(title="Figures from the police").count() == 1
