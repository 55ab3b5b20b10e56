"""Page weight: bytes and requests per public page type, as a phone's first visit loads them.

    MEDIA_ROOT=/tmp/bench-media .venv/bin/python -m bench.page_weight

Needs PostgreSQL at 127.0.0.1:5432 (trust), Redis and Debian's `chromium`. It builds the benchmark
database with the demo campaign (bench.common), serves it under gunicorn with production settings,
and opens each page type in Chromium at 375 px with an empty cache, counting every request the page
makes and the bytes that come over the wire (compressed where the server compressed). Media files
come from MEDIA_ROOT, as the proxy or object storage serves them in production. It also asks for
`/favicon.ico`, which every browser requests on a first visit. It prints a Markdown table for
docs/performance.md ("Page weight").
"""

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from bench.common import gunicorn, machine_description, manage, prepare_database, require, server_env

# The pages of each public type the demo has, by the path the demo gives them.
FIND_PAGES = """
from campaign.models import CampaignPage, NewsArticlePage, StandardPage
from petitions.models import PetitionPage
from statistics.models import Dataset
print(CampaignPage.objects.get(slug="campaign").url)
print(PetitionPage.objects.get().url)
print(NewsArticlePage.objects.live().order_by("pk").first().url)
print(StandardPage.objects.get(slug="about").url)
print(f"/data/{Dataset.objects.order_by('pk').first().slug}/")
"""
NAMES = ("campaign", "petition", "news article", "standard page", "dataset")


def page_paths():
    found = manage("shell", "-c", FIND_PAGES, capture=True).stdout.split()[-len(NAMES) :]
    return {
        "home": "/",
        **dict(zip(NAMES, found, strict=True)),
        "data": "/data/",
        "search": "/search/?q=facebook",
    }


def serve_media(route):
    relative = unquote(urlparse(route.request.url).path).removeprefix("/media/")
    path = Path(os.environ["MEDIA_ROOT"]) / relative
    if path.is_file():
        route.fulfill(path=path, content_type=mimetypes.guess_type(path.name)[0])
    else:
        route.fulfill(status=404)


def weigh(browser, url):
    """(requests, bytes over the wire, HTML bytes over the wire, HTML bytes uncompressed) for one page."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    context.route("**/media/**", serve_media)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    main = page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    total = 0
    for response in responses:
        encoded = response.request.sizes()["responseBodySize"]
        total += encoded or len(response.body())
    html_wire = main.request.sizes()["responseBodySize"] or len(main.body())
    html_raw = len(main.body())
    context.close()
    return len(responses), total, html_wire, html_raw


def favicon(browser, base_url):
    context = browser.new_context()
    response = context.request.get(base_url + "/favicon.ico", max_redirects=5)
    result = (response.status, len(response.body()), response.headers.get("content-type", ""))
    context.close()
    return result


def main():
    require("psql", "redis-cli", "chromium")
    from playwright.sync_api import sync_playwright

    if "MEDIA_ROOT" not in os.environ:
        raise SystemExit("Set MEDIA_ROOT to a folder of its own (the demo's images are written there).")
    prepare_database()
    paths = page_paths()
    rows = []
    with gunicorn(server_env(PAGE_CACHE_SECONDS=0)) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        for name, path in paths.items():
            rows.append((name, path, *weigh(browser, base_url + path)))
        icon = favicon(browser, base_url)
        browser.close()
    lines = [
        *machine_description(),
        "",
        "| page | path | requests | bytes over the wire | HTML over the wire | HTML uncompressed |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | `{path}` | {requests} | {total:,} | {html_wire:,} | {html_raw:,} |"
            for name, path, requests, total, html_wire, html_raw in rows
        ),
        "",
        f"- `/favicon.ico`: {icon[0]}, {icon[1]:,} bytes ({icon[2]})",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
