"""Benchmark: making the delivery pack (petitions.delivery_pack) for 100,000 and 1,000,000 named signers.

Run it (PostgreSQL at BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432):

    .venv/bin/python bench/delivery_pack.py                     # 100,000 and 1,000,000 signers
    .venv/bin/python bench/delivery_pack.py --rows 100000 --write-docs

It creates (or reuses) the database `www_pack_bench`, fills it with N confirmed signatures that all
agreed to be shown (the worst case: every one is named) by one `INSERT ... SELECT ... FROM
generate_series`, rebuilds the counters, then, in a fresh process per size (so peak memory is that
run's own), makes one pack exactly as the task worker does (`generation.generate_pack`: the snapshot,
the streamed names, the part-PDFs joined, the file stored). It reports seconds, the process's peak
resident memory, its growth during the run, pages and file size. With `--one-document` it also draws
the smallest size as a single ReportLab document (no parts), to show what the parts save.
`--write-docs` puts the results under "## Delivery pack" in docs/performance.md.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench import export_signatures as common  # noqa: E402 (run as a script from the project root)
from bench.common import peak_rss_mb, run_json_child, setup_django, write_docs_section  # noqa: E402

common.DATABASE = os.environ.get("BENCH_PACK_DATABASE", "www_pack_bench")
FLAT_TOLERANCE_MB = 15

PACK_SIGNATURE = {
    **common.EXPORT_SIGNATURE,
    "first_name": "(ARRAY['Amelia','Oliver','Zoë','Łukasz','Siobhán','Mohammed','Priya'])[1 + g %% 7]",
    "last_name": "'Signer-' || g",
    "confirmed_at": "now() - make_interval(secs => g) + interval '5 minutes'",
    "show_publicly": "true",
    "invalidated_at": "NULL",
    "invalidation_reason": "''",
    "region": (
        "(ARRAY['london','north-west','scotland','wales','south-east','yorkshire','east'])[1 + g %% 7]"
    ),
}


def child_fill(rows):
    setup_django()
    from django.db import connection
    from wagtail.models import Page

    from bench.signature_sql import signature_insert_sql
    from petitions.demo import create_demo_petition
    from petitions.models import Signature
    from petitions.models.counts import recount_signatures
    from petitions.signing.facts import consent_wording_ids

    petition = create_demo_petition(Page.objects.get(depth=2))
    if Signature.objects.count() == rows:
        return {"rows": rows, "filled_seconds": 0.0, "petition": petition.pk}
    contact_wording, show_wording = consent_wording_ids(petition)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE petitions_signature CASCADE")
        cursor.execute(
            signature_insert_sql(PACK_SIGNATURE, select_from="generate_series(1, %(rows)s) AS g"),
            {
                "petition": petition.pk,
                "contact_wording": contact_wording,
                "show_wording": show_wording,
                "rows": rows,
            },
        )
        cursor.execute("ANALYZE petitions_signature")
    recount_signatures([petition.pk])
    return {"rows": rows, "filled_seconds": round(time.perf_counter() - started, 1), "petition": petition.pk}


def child_pack(petition_id, one_document):
    setup_django()
    from django.conf import settings

    from petitions.delivery_pack import drawing, generation
    from petitions.models import DeliveryPack, PackStatus
    from petitions.models.delivery_pack import pack_storage

    folder = tempfile.mkdtemp(prefix="pack-bench-")
    settings.STORAGES = {
        **settings.STORAGES,
        "delivery_packs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    if one_document:
        drawing.PART_PAGES = 10**9
    drawing.register_fonts()
    pack = DeliveryPack.objects.create(petition_id=petition_id)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    status = generation.generate_pack(pack.pk)
    seconds = round(time.perf_counter() - started, 1)
    pack.refresh_from_db()
    assert status == PackStatus.READY, pack.error_kind
    result = {
        "seconds": seconds,
        "peak_mb": round(peak_rss_mb(), 1),
        "growth_mb": round(peak_rss_mb() - baseline, 1),
        "pages": pack.pages,
        "named": pack.named,
        "mb": round(pack.size_bytes / 1_000_000, 1),
    }
    pack_storage().delete(pack.file_name)
    pack.delete()
    return result


def run_child(*args):
    return run_json_child([__file__, *args], common.child_env())


def measure(sizes, one_document):
    common.prepare_database()
    results = []
    for rows in sorted(sizes):
        fill = run_child("--child", "fill", str(rows))
        result = {"rows": rows, "pack": run_child("--child", "pack", str(fill["petition"]), "parts")}
        if one_document:
            result["one_document"] = run_child("--child", "pack", str(fill["petition"]), "one")
        results.append(result)
        print(json.dumps(result), file=sys.stderr)
    return results


def report(results, command):
    info = common.machine()
    lines = [
        "## Delivery pack",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`",
        f"on {info['cores']} cores ({info['cpu']}), memory (`free -g`, GB): `{info['memory']}`,",
        f"Python {info['python']}, PostgreSQL {info['postgres']}. **The machine was shared** with other",
        f"work (load average {info['load']} when measured): the times are an upper bound, one run each.",
        "",
        "Every signature is confirmed and agreed to be shown, so every one is named (the worst case). The",
        "run is `generation.generate_pack`, what the task worker runs: the snapshot, the names streamed",
        "from PostgreSQL in chunks, drawn by ReportLab into part-PDFs of 200 pages, joined page by page",
        "into one file, stored. Memory is the process's peak resident set with Django loaded, and how",
        "much it grew during the run. What still grows with the names is what the joiner must keep until",
        "the end (each object's offset and each page's number, about 40,000 objects at a million) and",
        "Python's allocator holding on to freed parts: a few MB, against ReportLab's whole document.",
        "",
        "| signers named | seconds | pages | file MB | peak MB | growth MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        pack = result["pack"]
        lines.append(
            f"| {pack['named']:,} | {pack['seconds']} | {pack['pages']:,} | {pack['mb']} | "
            f"{pack['peak_mb']} | {pack['growth_mb']} |"
        )
    for result in results:
        if "one_document" in result:
            one = result["one_document"]
            lines += [
                "",
                f"The same {one['named']:,} names drawn as one ReportLab document (no parts): "
                f"{one['seconds']} s, peak {one['peak_mb']} MB, growth {one['growth_mb']} MB; ReportLab "
                "keeps every page until it saves, so that growth scales with the names.",
            ]
    growths = [result["pack"]["growth_mb"] for result in results]
    flat = max(growths) - min(growths) <= FLAT_TOLERANCE_MB
    lines += [
        "",
        f"Memory flat as signers grow: {'met' if flat else '**missed**'} (growth "
        f"{', '.join(map(str, growths))} MB; flat means within {FLAT_TOLERANCE_MB} MB).",
    ]
    return "\n".join(lines) + "\n"


def write_docs(section):
    write_docs_section("Delivery pack", section)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] == "fill":
            result = child_fill(int(sys.argv[3]))
        else:
            result = child_pack(int(sys.argv[3]), one_document=sys.argv[4] == "one")
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--one-document", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    options = parser.parse_args()
    results = measure(options.rows, options.one_document)
    command = "python bench/delivery_pack.py " + " ".join(sys.argv[1:])
    section = report(results, command.strip())
    print(section)
    if options.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
