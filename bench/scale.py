"""Scale benchmark: page render time and query counts with small and large data stay flat.

    .venv/bin/python -m bench.scale [--signatures 1000000] [--renders 20]

Needs PostgreSQL at 127.0.0.1:5432 (trust) and Redis at 127.0.0.1:6379. In the `www_bench`
database (with the demo campaign) it builds, once:

- two open letters, one with 100 signatures and one with `--signatures` (bulk SQL,
  generate_series), their counters rebuilt from the table;
- two datasets through the real importer: 3 forces x 2 platforms x 2 periods, and
  43 forces x 10 platforms x 10 periods; five widgets of the same shapes on each;
- two campaign pages, each showing its dataset's five widgets and its open letter's sign form.

Then, in this process with production settings (whole-page cache and page fragments off, so every
render does the work and counts are read from the counters on every view; widget HTML cached in
Redis), it renders each page of the small and the large set through Django's test client: the first
render after the cache is emptied, and the median of `--renders` renders after that, with the number
of queries of each. It prints a Markdown report (docs/performance.md, "Scale").
"""

import argparse
import os
import time

from bench.common import flush_redis, machine_description, prepare_database, psql, server_env

FORCES, PLATFORMS, PERIODS = 43, 10, 10
SMALL_SHAPE = (3, 2, 2)


def dataset_csv(forces, platforms, periods):
    """An import file with one observation for each force, platform and period."""
    lines = [
        "period,period_start,period_end,area,area_type,parent_area,platform,measure,value,unit,qualifier,note"
    ]
    for period in range(periods):
        year = 2010 + period
        for force in range(forces):
            for platform in range(platforms):
                value = (force * 37 + platform * 11 + period * 5) % 500
                lines.append(
                    f"{year}/{(year + 1) % 100:02d},{year}-04-01,{year + 1}-03-31,Scale force {force + 1},"
                    f"police_force,England and Wales,Scale platform {platform + 1},Scale offences,"
                    f"{value},count,,"
                )
    return "\n".join(lines).encode()


def build_dataset(slug, shape):
    from statistics.choices import Calculation, SortOrder, WidgetKind
    from statistics.importers.plan import apply_import, prepare_import
    from statistics.models import Dataset, Observation, StatisticWidget, StatisticWidgetObservation

    dataset, created = Dataset.objects.get_or_create(
        slug=slug, defaults={"title": f"Benchmark {slug}", "source": "Generated for bench/scale.py"}
    )
    if created:
        raw_rows, _plan = prepare_import(dataset, f"{slug}.csv", dataset_csv(*shape))
        apply_import(dataset, raw_rows, file_name=f"{slug}.csv")
    # Two platforms of one force in the latest period: the same figures whatever the dataset's size.
    latest = Observation.objects.filter(dataset=dataset).order_by("-period__start_date", "pk").first()
    parts = list(
        Observation.objects.filter(dataset=dataset, period=latest.period, area=latest.area).order_by(
            "platform__name"
        )[:2]
    )
    shapes = [
        (WidgetKind.HEADLINE, Calculation.VALUE, parts[:1], {}),
        (WidgetKind.HEADLINE, Calculation.SUM, parts, {}),
        (WidgetKind.HEADLINE, Calculation.RATE_PER_DAY, parts[:1], {}),
        (WidgetKind.BAR_CHART, Calculation.VALUE, parts, {"sort_order": SortOrder.LARGEST_FIRST}),
        (WidgetKind.TABLE, Calculation.VALUE, parts, {"sort_order": SortOrder.AS_LISTED}),
    ]
    widgets = []
    for number, (kind, calculation, observations, extra) in enumerate(shapes, start=1):
        title = f"{slug} widget {number}"
        widget = StatisticWidget.objects.filter(title=title).first()
        if widget is None:
            widget = StatisticWidget(
                title=title, kind=kind, dataset=dataset, calculation=calculation, label="offences", **extra
            )
            widget.widget_observations = [
                StatisticWidgetObservation(observation=observation, sort_order=index)
                for index, observation in enumerate(observations)
            ]
            widget.save()
            widget.save_revision()
        widgets.append(widget)
    return dataset, widgets


# Confirmed signatures, already mailed; psql fills in the variables.
SCALE_SIGNATURE = {
    "petition_id": ":'petition_id'",
    "first_name": "'Scale'",
    "last_name": "'Signer ' || n",
    "email": "'scale-' || :'petition_id' || '-' || n || '@example.org'",
    "postcode": "'SW1A 1AA'",
    "region": "'london'",
    "created_at": "now() - make_interval(secs => n)",
    "confirmed_at": "now()",
    "contact_consent": "n % 2 = 0",
    "contact_consent_wording_id": ":'contact_id'",
    "show_publicly": "n % 3 = 0",
    "show_publicly_wording_id": ":'show_id'",
    "privacy_notice_version": ":'privacy_version'",
    "mail_status": "'sent'",
    "mail_attempts": "1",
    "mail_queued_at": "now()",
    "mail_sent_at": "now()",
}


def build_petition(slug, signatures):
    from bench.signature_sql import signature_insert_sql
    from campaign.models import HomePage
    from petitions.models import PetitionPage, Signature
    from petitions.models.counts import recount_signatures
    from petitions.signing.facts import consent_wording_ids

    petition = PetitionPage.objects.filter(slug=slug).first()
    if petition is None:
        demo = PetitionPage.objects.exclude(slug__startswith="bench-").order_by("pk").first()
        petition = demo.copy(
            to=HomePage.objects.get(), update_attrs={"slug": slug, "title": f"Benchmark {slug}"}
        )
    have = Signature.objects.filter(petition=petition).count()
    if have != signatures:
        contact_id, show_id = consent_wording_ids(petition)
        psql("DELETE FROM petitions_signature WHERE petition_id = :'petition_id'", petition_id=petition.pk)
        psql(
            signature_insert_sql(SCALE_SIGNATURE, select_from="generate_series(1, :'rows'::int) AS n") + ";",
            petition_id=petition.pk,
            contact_id=contact_id,
            show_id=show_id,
            privacy_version=petition.privacy_notice_version,
            rows=signatures,
        )
        psql("VACUUM ANALYZE petitions_signature")
    recount_signatures([petition.pk])
    return petition


def build_campaign_page(slug, widgets, petition):
    from campaign.demo_blocks import petition_block, statistic_block
    from campaign.models import CampaignPage
    from petitions.blocks import PetitionBlockDisplay

    page = CampaignPage.objects.filter(slug=slug).first()
    if page is None:
        demo = CampaignPage.objects.exclude(slug__startswith="bench-").get()
        page = demo.copy(update_attrs={"slug": slug, "title": f"Benchmark {slug}"})
        page.body = [statistic_block(widget) for widget in widgets] + [
            petition_block(petition, PetitionBlockDisplay.FORM)
        ]
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def measure(client, url, renders):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    flush_redis()
    with CaptureQueriesContext(connection) as cold_queries:
        started = time.perf_counter()
        response = client.get(url)
        cold_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, f"{url}: {response.status_code}"
    timings = []
    for _ in range(renders):
        with CaptureQueriesContext(connection) as warm_queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "cold_ms": cold_ms,
        "cold_queries": len(cold_queries),
        "warm_ms": sorted(timings)[len(timings) // 2],
        "warm_queries": len(warm_queries),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()

    prepare_database()
    os.environ.update(
        server_env(
            ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
            PAGE_CACHE_SECONDS=0,
            FRAGMENT_CACHE_SECONDS=0,
            PETITION_COUNT_CACHE_SECONDS=0,
            PETITION_SIGN_RATE_LIMIT=10,
        )
    )
    import django

    django.setup()
    from django.test import Client

    started = time.perf_counter()
    sets = {}
    for size, signatures, shape in (
        ("small", 100, SMALL_SHAPE),
        ("large", args.signatures, (FORCES, PLATFORMS, PERIODS)),
    ):
        dataset, widgets = build_dataset(f"bench-scale-{size}", shape)
        petition = build_petition(f"bench-scale-{size}-letter", signatures)
        page = build_campaign_page(f"bench-scale-{size}-campaign", widgets, petition)
        sets[size] = {
            "signatures": signatures,
            "pages": {
                "campaign page (5 widgets + sign form)": page.url,
                "open letter page": petition.url,
                "count.json": f"/petitions/{petition.pk}/count.json",
                "public signers list": f"/petitions/{petition.pk}/signers/",
                "dataset page (/data/…)": f"/data/{dataset.slug}/",
            },
        }
    build_seconds = time.perf_counter() - started

    client = Client()
    # One render of each page first, so the first measured render is not the process's first.
    for page_set in sets.values():
        for url in page_set["pages"].values():
            client.get(url)
    results = {
        size: {name: measure(client, url, args.renders) for name, url in s["pages"].items()}
        for size, s in sets.items()
    }

    from statistics.models import Observation

    small_rows = Observation.objects.filter(dataset__slug="bench-scale-small").count()
    large_rows = Observation.objects.filter(dataset__slug="bench-scale-large").count()
    lines = [
        *machine_description(),
        f"- Small set: 100 signatures, {small_rows} observations; large set: {args.signatures:,} signatures, "
        f"{large_rows:,} observations ({FORCES} forces x {PLATFORMS} platforms x {PERIODS} periods); "
        f"built or checked in {build_seconds:.0f} s",
        "- Render: Django test client in one process, production settings, whole-page cache and page "
        "fragments off, counts read on every view; first render after emptying Redis, then the median "
        f"of {args.renders}",
        "",
        "| page | small: first ms / queries | small: warm ms / queries "
        "| large: first ms / queries | large: warm ms / queries |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in sets["small"]["pages"]:
        small, large = results["small"][name], results["large"][name]
        lines.append(
            f"| {name} | {small['cold_ms']:.0f} / {small['cold_queries']} | {small['warm_ms']:.1f} / "
            f"{small['warm_queries']} | {large['cold_ms']:.0f} / {large['cold_queries']} | "
            f"{large['warm_ms']:.1f} / {large['warm_queries']} |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
