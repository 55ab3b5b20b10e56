"""Page-view benchmark: requests per second and p99 for three pages, cached and uncached, beside a floor.

    .venv/bin/python -m bench.page_views [--seconds 15] [--connections 16] [--runs 3]

Needs PostgreSQL at 127.0.0.1:5432 (trust), Redis at 127.0.0.1:6379 and Debian's `wrk`. It builds the
`www_bench` database with the demo campaign plus a campaign page showing five statistic widgets and
the open letter's sign form, then in one run measures with wrk, under gunicorn with production
settings:

- the home page, that campaign page and a news article, with the anonymous page cache on (Redis),
  with it off (PAGE_CACHE_SECONDS=0: what a visitor the page cache cannot answer gets; the pages'
  rendered parts, widgets and counts still come from Redis), and rendered from scratch
  (FRAGMENT_CACHE_SECONDS=0 as well: the first view after a publish);
- the campaign page for a visitor with a session (a real session row, its cookie sent with every
  request), with the page cache on as in production: an anonymous session (nothing in it changes the
  page) is served the cached page, after one read of the session from the cache;
- the floor: a bare Django view rendering a small template (bench/floor_app), same gunicorn settings.
  Each cached page, and the visitor with a session, is measured in turns with it (the page, then the
  floor, both servers up), so that a change in the machine's other load meets both alike.

With `--runs 3` it does it all three times. It prints a Markdown report with the ratios, each figure
the median of the runs and every run's ratios under it (docs/performance.md, "Page views").
"""

import argparse
import urllib.request

import statistics
from bench.common import (
    flush_redis,
    gunicorn,
    machine_description,
    manage,
    prepare_database,
    require,
    server_env,
    wrk,
)

# A copy of the demo campaign page whose body shows five widgets (the demo's two and three more) and
# keeps the petition block with its sign form.
BUILD_BENCH_PAGE = """
from campaign.demo_blocks import statistic_block
from campaign.models import CampaignPage, NewsArticlePage
from statistics.models import StatisticWidget

demo = CampaignPage.objects.exclude(slug__startswith="bench-").get()
page = CampaignPage.objects.filter(slug="bench-campaign").first()
if page is None:
    page = demo.copy(update_attrs={"slug": "bench-campaign", "title": "Benchmark campaign page"})
    body = list(demo.body.raw_data)
    used = {item["value"]["widget"] for item in body if item["type"] == "statistic"}
    extra = StatisticWidget.objects.exclude(pk__in=used).exclude(title__startswith="bench-")
    extra = extra.order_by("pk")[: 5 - len(used)]
    last_statistic = max(i for i, item in enumerate(body) if item["type"] == "statistic")
    body[last_statistic + 1 : last_statistic + 1] = [statistic_block(widget) for widget in extra]
    page.body = body
    page.save_revision().publish()
    page.refresh_from_db()
widgets = sum(1 for block in page.body if block.block_type == "statistic")
petitions = sum(1 for block in page.body if block.block_type == "petition")
assert (widgets, petitions) == (5, 1), (widgets, petitions)
print(page.url)
print(NewsArticlePage.objects.live().order_by("pk").first().url)

from django.contrib.sessions.backends.db import SessionStore

# What a visitor part-way through a form holds; its cookie is what the page cache looks for.
session = SessionStore()
session["bench_visitor"] = True
session.create()
print(session.session_key)
"""

PAGES = ("home page", "campaign page", "news article")


def build_pages():
    """{page name: path} for the measured pages, and a session's key."""
    campaign, article, session_key = manage("shell", "-c", BUILD_BENCH_PAGE, capture=True).stdout.split()[-3:]
    return dict(zip(PAGES, ("/", campaign, article), strict=True)), session_key


def cache_status(url, headers=()):
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        url, headers=dict(header.split(": ", 1) for header in headers)
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own loopback server
        return response.status, response.headers.get("X-Page-Cache", "")


def in_turns(url, floor_url, seconds, connections, headers=()):
    """(the page, the floor): `url` under wrk, then the floor's small template, both servers up."""
    return (
        wrk(url, seconds, connections=connections, headers=headers),
        wrk(floor_url + "/page/", seconds, connections=connections),
    )


def measure_cached(base_url, floor_url, paths, session_key, seconds, connections):
    """{page: (page, floor)} with the page cache on, each page in turns with the floor, and the campaign
    page for a visitor with a session as "session"."""
    results = {}
    for name, path in paths.items():
        check_cache(base_url + path, expect_cache=True)
        results[name] = in_turns(base_url + path, floor_url, seconds, connections)
    headers = [f"Cookie: sessionid={session_key}"]
    # The first view reads the session into the cache; then the page cache serves the page to this
    # anonymous session (nothing in it changes the page).
    check_cache(base_url + paths["campaign page"], expect_cache=True, headers=headers)
    results["session"] = in_turns(base_url + paths["campaign page"], floor_url, seconds, connections, headers)
    return results


def check_cache(url, expect_cache, headers=()):
    cache_status(url, headers)
    status, cached = cache_status(url, headers)
    assert status == 200, f"{url}: {status}"
    assert (cached == "HIT") == expect_cache, f"{url}: X-Page-Cache {cached!r}"


def measure(base_url, paths, seconds, connections):
    results = {}
    for name, path in paths.items():
        check_cache(base_url + path, expect_cache=False)
        results[name] = wrk(base_url + path, seconds, connections=connections)
    return results


def run_once(paths, session_key, args):
    """One run: every page and mode, the cached ones in turns with the floor."""
    flush_redis()
    floor_env = server_env(DJANGO_SETTINGS_MODULE="bench.floor_app.settings")
    with (
        gunicorn(server_env(PAGE_CACHE_SECONDS=300)) as base_url,
        gunicorn(floor_env, app="bench.floor_app.wsgi:application") as floor_url,
    ):
        cached = measure_cached(base_url, floor_url, paths, session_key, args.seconds, args.connections)
    with gunicorn(server_env(PAGE_CACHE_SECONDS=0)) as base_url:
        uncached = measure(base_url, paths, args.seconds, args.connections)
    with gunicorn(server_env(PAGE_CACHE_SECONDS=0, FRAGMENT_CACHE_SECONDS=0)) as base_url:
        scratch = measure(base_url, paths, args.seconds, args.connections)
    return {"cached": cached, "uncached": uncached, "scratch": scratch}


def _ratio(pair):
    page, floor = pair
    return page["rps"] / floor["rps"]


def report(runs, seconds, connections):
    """The Markdown report: each figure the median of the runs, and every run's figures under it."""

    def median(values):
        return statistics.median(values)

    lines = [
        *machine_description(),
        f"- gunicorn: config/gunicorn.conf.py defaults (gthread); wrk 2 threads, {connections} connections, "
        f"{seconds} s per page; each cached page (and the visitor with a session) in turns with the floor, "
        f"both servers up; runs: {len(runs)}, each figure the median of the runs",
        "",
        "| page | cached req/s | cached p99 ms | floor req/s (its turn) | cached vs floor | uncached req/s "
        "| uncached p99 ms | from scratch req/s | from scratch p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in (*PAGES, "session"):
        pairs = [run["cached"][name] for run in runs]
        row = (
            f"| {'campaign page, visitor with a session' if name == 'session' else name} "
            f"| {median(page['rps'] for page, _ in pairs):.0f} "
            f"| {median(page['p99_ms'] for page, _ in pairs):.1f} "
            f"| {median(floor['rps'] for _, floor in pairs):.0f} | {median(map(_ratio, pairs)):.0%} "
        )
        if name == "session":
            row += "| | | | |"
        else:
            miss = [run["uncached"][name] for run in runs]
            cold = [run["scratch"][name] for run in runs]
            row += (
                f"| {median(r['rps'] for r in miss):.0f} | {median(r['p99_ms'] for r in miss):.1f} "
                f"| {median(r['rps'] for r in cold):.0f} | {median(r['p99_ms'] for r in cold):.1f} |"
            )
        lines.append(row)
    lines.append("")
    for number, run in enumerate(runs, start=1):
        turns = ", ".join(
            f"{name} {page['rps']:.0f} / {floor['rps']:.0f} ({page['rps'] / floor['rps']:.0%})"
            for name, (page, floor) in run["cached"].items()
        )
        lines.append(f"- run {number}, cached / floor req/s: {turns}")
    answers = [
        result
        for run in runs
        for result in (*sum(run["cached"].values(), ()), *run["uncached"].values(), *run["scratch"].values())
    ]
    errors = sum(r["non_2xx_3xx"] for r in answers)
    cached_ok = all(median(_ratio(run["cached"][name]) for run in runs) >= 0.7 for name in PAGES)
    uncached_ok = median(run["uncached"]["campaign page"]["rps"] for run in runs) >= 150
    session_ok = median(_ratio(run["cached"]["session"]) for run in runs) >= 0.3
    lines += [
        "",
        f"- Answers other than 2xx/3xx: {errors}",
        f"- Targets (medians): cached pages at least 70% of the floor: {'met' if cached_ok else 'MISSED'}; "
        f"uncached campaign page at least 150 req/s: {'met' if uncached_ok else 'MISSED'}; "
        f"visitor with a session at least 30% of the floor: {'met' if session_ok else 'MISSED'}",
        "",
        "Commands (one per page and mode, as below):",
        "",
        "```",
        runs[-1]["cached"]["campaign page"][0]["command"],
        runs[-1]["cached"]["campaign page"][1]["command"],
        "```",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1, help="repeat, and report the median of each figure")
    args = parser.parse_args()
    require("wrk", "psql", "redis-cli")

    prepare_database()
    paths, session_key = build_pages()
    runs = [run_once(paths, session_key, args) for _ in range(args.runs)]
    print(report(runs, args.seconds, args.connections))


if __name__ == "__main__":
    main()
