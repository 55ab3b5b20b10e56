"""Page-view benchmark: requests per second and p99 for three pages, cached and uncached, beside a floor.

    .venv/bin/python -m bench.page_views [--seconds 15] [--connections 16]

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
  page) is served the cached page, after one read of the session from the cache. It is measured
  in turns with the floor, SESSION_ROUNDS times each, both servers up, so a machine shared with other
  work loads both alike; the report gives each round's ratio and the median;
- the floor: a bare Django view rendering a small template (bench/floor_app), same gunicorn settings.

It prints a Markdown report with the ratios (docs/performance.md, "Page views").
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
SESSION_ROUNDS = 3


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


def measure_session_visitor(base_url, floor_url, path, session_key, seconds, connections):
    """[(session visitor, floor), ...]: the page for one visitor with a session, in turns with the floor."""
    headers = [f"Cookie: sessionid={session_key}"]
    # The first view renders the page and reads the session into the cache; then the page cache serves
    # the page to this anonymous session (nothing in it changes the page).
    for _ in range(2):
        status, cached = cache_status(base_url + path, headers)
    assert (status, cached) == (200, "HIT"), f"{path} with a session: {status}, X-Page-Cache {cached!r}"
    return [
        (
            wrk(base_url + path, seconds, connections=connections, headers=headers),
            wrk(floor_url + "/page/", seconds, connections=connections),
        )
        for _ in range(SESSION_ROUNDS)
    ]


def measure(base_url, paths, seconds, connections, expect_cache):
    results = {}
    for name, path in paths.items():
        url = base_url + path
        cache_status(url)
        status, cached = cache_status(url)
        assert status == 200, f"{url}: {status}"
        assert (cached == "HIT") == expect_cache, f"{url}: X-Page-Cache {cached!r}"
        results[name] = wrk(url, seconds, connections=connections)
    return results


def report(cached, uncached, scratch, session, floor, seconds, connections):
    lines = [
        *machine_description(),
        f"- gunicorn: config/gunicorn.conf.py defaults (gthread); wrk 2 threads, {connections} connections, "
        f"{seconds} s per page",
        "",
        "| page | cached req/s | cached p99 ms | cached vs floor | uncached req/s | uncached p99 ms "
        "| from scratch req/s | from scratch p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in PAGES:
        hit, miss, cold = cached[name], uncached[name], scratch[name]
        lines.append(
            f"| {name} | {hit['rps']:.0f} | {hit['p99_ms']:.1f} | {hit['rps'] / floor['rps']:.0%} "
            f"| {miss['rps']:.0f} | {miss['p99_ms']:.1f} | {cold['rps']:.0f} | {cold['p99_ms']:.1f} |"
        )
    lines.append(
        f"| floor: bare Django view, small template | {floor['rps']:.0f} | {floor['p99_ms']:.1f} | 100% "
        "| | | | |"
    )
    ratios = [visitor["rps"] / bare["rps"] for visitor, bare in session]
    rounds = ", ".join(
        f"{visitor['rps']:.0f} against {bare['rps']:.0f} ({visitor['rps'] / bare['rps']:.0%}, "
        f"p99 {visitor['p99_ms']:.0f} ms)"
        for visitor, bare in session
    )
    lines += [
        "",
        f"- Campaign page, visitor with a session (page cache on), in turns with the floor: {rounds}; "
        f"median {statistics.median(ratios):.0%} of the floor "
        f"(target 30%: {'met' if statistics.median(ratios) >= 0.3 else 'MISSED'})",
    ]
    answers = [*cached.values(), *uncached.values(), *scratch.values(), *sum(session, ()), floor]
    errors = sum(r["non_2xx_3xx"] for r in answers)
    cached_ok = all(cached[name]["rps"] >= 0.7 * floor["rps"] for name in PAGES)
    uncached_ok = uncached["campaign page"]["rps"] >= 150
    lines += [
        "",
        f"- Answers other than 2xx/3xx: {errors}",
        f"- Targets: cached pages at least 70% of the floor: {'met' if cached_ok else 'MISSED'}; "
        f"uncached campaign page at least 150 req/s: {'met' if uncached_ok else 'MISSED'}",
        "",
        "Commands (one per page and mode, as below):",
        "",
        "```",
        cached["campaign page"]["command"],
        floor["command"],
        "```",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    require("wrk", "psql", "redis-cli")

    prepare_database()
    paths, session_key = build_pages()
    flush_redis()
    floor_env = server_env(DJANGO_SETTINGS_MODULE="bench.floor_app.settings")
    with gunicorn(server_env(PAGE_CACHE_SECONDS=300)) as base_url:
        cached = measure(base_url, paths, args.seconds, args.connections, expect_cache=True)
        with gunicorn(floor_env, app="bench.floor_app.wsgi:application") as floor_url:
            session = measure_session_visitor(
                base_url, floor_url, paths["campaign page"], session_key, args.seconds, args.connections
            )
    with gunicorn(server_env(PAGE_CACHE_SECONDS=0)) as base_url:
        uncached = measure(base_url, paths, args.seconds, args.connections, expect_cache=False)
    with gunicorn(server_env(PAGE_CACHE_SECONDS=0, FRAGMENT_CACHE_SECONDS=0)) as base_url:
        scratch = measure(base_url, paths, args.seconds, args.connections, expect_cache=False)
    with gunicorn(floor_env, app="bench.floor_app.wsgi:application") as base_url:
        floor = wrk(base_url + "/page/", args.seconds, connections=args.connections)
    print(report(cached, uncached, scratch, session, floor, args.seconds, args.connections))


if __name__ == "__main__":
    main()
