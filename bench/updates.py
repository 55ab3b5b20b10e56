"""Benchmark: an update sent by the real task worker to N consenting signers, beside a plain smtplib loop.

Run it (PostgreSQL at BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432):

    .venv/bin/python -m bench.updates                   # 10,000 and 100,000 recipients
    .venv/bin/python -m bench.updates --million         # and 1,000,000
    .venv/bin/python -m bench.updates --sizes 2000      # a quick look
    .venv/bin/python -m bench.updates --batch 500 --profile 30   # one batch in one process, profiled

It creates (or reuses) the database `www_updates_bench` and, for each size, fills one petition with N
signers in the audience (confirmed, "hear more" ticked) and N/5 outside it (no consent, unconfirmed,
invalidated), by one `INSERT ... SELECT ... FROM generate_series`. A local SMTP sink (aiosmtpd, in this
process, counting each recipient of each accepted message, keeping nothing else) takes the mail of:

- the floor: a plain `smtplib` loop in a process of its own, sending one prebuilt update mail (the
  project's own, headers included) to N addresses over one connection;
- the project: `manage.py send_petition_update` (the delivery rows, one INSERT … SELECT), then the
  real worker (`db_worker --batch`, in a fresh process) sending every batch until the update is sent,
  over the project's UPDATE_MAIL_CONNECTIONS connections at once (the default, or the environment's:
  `UPDATE_MAIL_CONNECTIONS=1 python -m bench.updates` compares one connection).

It reports mails a second for both and their ratio, the connections the worker used, its peak resident
memory at each size, and checks that the sink got exactly one mail for each recipient and none for
anyone else.
`--batch N` times one sending batch of N mails (`SendingRun.send_batch`, what the worker's task runs)
in one process against the same sink, beside the floor, without the worker's start or the queue (the
second of two batches: the first loads what a worker loads once); with
`--profile K` it runs the batch again under cProfile and prints the K functions with the most time of
their own (the profiler slows everything: its times are for ranking only; it sees the calling thread
only, so profile with `UPDATE_MAIL_CONNECTIONS=1`, where the mails are sent in that thread).
`--write-docs` puts the results under "## Updates to signers" in docs/performance.md.
The machine is shared: name its processor, and read the ratio (measured in the same run), not the rates.
"""

import argparse
import json
import os
import re
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import psycopg.sql

from bench.common import peak_rss_mb, run_json_child, setup_django, write_docs_section

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_UPDATES_DATABASE", "www_updates_bench")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
SECTION = "## Updates to signers"
# Growth of the worker's peak between the smallest and largest size that still counts as flat.
FLAT_TOLERANCE_MB = 15
TARGET_SHARE_OF_FLOOR = 0.5
# The sizes the rate target is for (issue 16: an update to 100,000 consenting signers, and the million);
# below them the worker's start and its first batches weigh more, and the rate is shown, not judged.
TARGET_FROM_RECIPIENTS = 100_000

# Signers 1..N are the audience; N+1..N+N/5 are outside it: no consent, unconfirmed, invalidated.
BENCH_SIGNATURE = {
    "petition_id": "%(petition)s",
    "first_name": "'First' || g",
    "last_name": "'Last' || g",
    "email": "'signer' || g || '@example.org'",
    "postcode": "'SW1A 1AA'",
    "region": "'london'",
    "created_at": "now() - make_interval(secs => g)",
    "confirmed_at": "CASE WHEN g > %(audience)s AND g %% 3 = 1 THEN NULL ELSE now() END",
    "contact_consent": "g <= %(audience)s OR g %% 3 <> 0",
    "contact_consent_wording_id": "%(contact_wording)s",
    "show_publicly": "false",
    "show_publicly_wording_id": "%(show_wording)s",
    "invalidated_at": "CASE WHEN g > %(audience)s AND g %% 3 = 2 THEN now() ELSE NULL END",
    "invalidation_reason": "CASE WHEN g > %(audience)s AND g %% 3 = 2 THEN 'bench' ELSE '' END",
    "ip_hash": "md5(g::text)",
    "mail_status": "'sent'",
    "mail_attempts": "1",
}


def child_env(**overrides):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{POSTGRES_URL}/{DATABASE}",
        "CACHE_URL": "locmemcache://updates-bench",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.update(overrides)
    return env


def run_child(*args, env=None):
    """Run this script in a fresh process (its own peak memory) and return the JSON it prints."""
    return run_json_child(["-m", "bench.updates", *args], env or child_env())


class CountingSink:
    """An SMTP server on a loopback port that counts the recipients of each accepted message."""

    def __init__(self):
        self.counts = Counter()
        self.lock = threading.Lock()
        self.controller = None
        self.port = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.counts.update(envelope.rcpt_tos)
        return "250 OK"

    def start(self):
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")
        self.controller.start()

    def take(self):
        with self.lock:
            counts, self.counts = self.counts, Counter()
        return counts

    def stop(self):
        self.controller.stop()


def child_fill(audience):
    """The benchmark database with `audience` signers in the update's audience and audience/5 outside."""
    setup_django()
    from django.db import connection
    from wagtail.models import Page

    from bench.signature_sql import signature_insert_sql
    from petitions.demo import create_demo_petition
    from petitions.models import Audience, PetitionUpdate, UpdateStatus
    from petitions.signing.facts import consent_wording_ids

    petition = create_demo_petition(Page.objects.get(depth=2))
    contact_wording, show_wording = consent_wording_ids(petition)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE petitions_updatedelivery, petitions_petitionupdate, petitions_signature CASCADE"
        )
        cursor.execute(
            signature_insert_sql(BENCH_SIGNATURE, select_from="generate_series(1, %(rows)s) AS g"),
            {
                "petition": petition.pk,
                "contact_wording": contact_wording,
                "show_wording": show_wording,
                "audience": audience,
                "rows": audience + audience // 5,
            },
        )
        cursor.execute("ANALYZE petitions_signature")
    update = PetitionUpdate.objects.create(
        petition=petition,
        audience=Audience.CAMPAIGN_NEWS,
        subject="The letter was delivered",
        body=(
            "<h2>We did it</h2><p>On Monday we handed <b>the open letter</b> in, with every signature. "
            'Read <a href="https://example.org/report">what happened</a>.</p>'
            "<ul><li>One</li><li>Two</li></ul>"
        ),
        status=UpdateStatus.APPROVED,
    )
    return {"update": update.pk, "filled_seconds": round(time.perf_counter() - started, 1)}


def child_floor(update_id, count, port):
    """A plain smtplib loop: the update's mail, built once, to `count` addresses over one connection."""
    setup_django()
    from petitions.models import PetitionUpdate, Signature
    from petitions.selfservice.links import signer_page_url, site_root_url
    from petitions.updates.mail import compose_update_message
    from petitions.updates.unsubscribe import add_unsubscribe_headers, unsubscribe_url

    update = PetitionUpdate.objects.select_related("petition").get(pk=update_id)
    signature = Signature.objects.filter(petition=update.petition).order_by("pk").first()
    root = site_root_url(update.petition)
    link = unsubscribe_url(root, signature.pk)
    message = compose_update_message(update, signature, link, signer_page_url(signature, update.petition))
    add_unsubscribe_headers(message, link)
    data = message.message().as_bytes(linesep="\r\n")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as server:
        for n in range(count):
            server.sendmail("campaign@localhost", [f"floor{n}@example.org"], data)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "mails_per_second": round(count / seconds, 1), "bytes": len(data)}


def child_worker():
    """The real worker, until the queue is empty: every batch of the update, in this fresh process."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    baseline = peak_rss_mb()
    started = time.perf_counter()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": round(peak_rss_mb(), 1),
        "baseline_mb": round(baseline, 1),
        "connections": settings.UPDATE_MAIL_CONNECTIONS,
    }


def child_batch(update_id, profile):
    """One sending batch of the whole audience in this process, timed; then, with `profile`, once more
    (the rows queued again) under cProfile."""
    setup_django()
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.db import connection

    from petitions.updates.sending import SendingRun, start_sending

    def queue_again():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE petitions_updatedelivery SET status = 'queued', attempts = 0, sent_at = NULL, "
                "next_attempt_at = NULL WHERE update_id = %s",
                [update_id],
            )

    def one_batch(profiler=None):
        from petitions.models import PetitionUpdate

        run = PetitionUpdate.objects.get(pk=update_id).sending_run
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        sent = SendingRun(update_id, run).send_batch()
        if profiler:
            profiler.disable()
        return sent, time.perf_counter() - started, time.process_time() - cpu

    start_sending(update_id)
    # The first batch of a worker pays for loading templates and first queries; the worker's later ones
    # do not: time a second one too.
    first = one_batch()
    queue_again()
    sent, seconds, cpu = one_batch()
    result = {
        "sent": sent,
        "first_batch_seconds": round(first[1], 3),
        "seconds": round(seconds, 3),
        "mails_per_second": round(sent / seconds, 1),
        "worker_cpu_ms_per_mail": round(cpu / sent * 1000, 3),
        "connections": settings.UPDATE_MAIL_CONNECTIONS,
    }
    if profile:
        queue_again()
        profiler = cProfile.Profile()
        one_batch(profiler)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(profile)
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(profile)
        result["profile"] = stream.getvalue()
    with connection.cursor() as cursor:
        # The next batch the run queued: not for a later worker to send.
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")
    return result


def measure_batch(size, profile):
    """`--batch`: the floor and one in-process batch of `size` mails, against the same sink."""
    prepare_database()
    sink = CountingSink()
    sink.start()
    try:
        update_id = run_child("--child", "fill", str(size))["update"]
        floor = run_child("--child", "floor", str(update_id), str(size), str(sink.port))
        sink.take()
        env = child_env(EMAIL_URL=f"smtp://127.0.0.1:{sink.port}", UPDATE_MAIL_BATCH_SIZE=str(size))
        batch = run_child("--child", "batch", str(update_id), str(profile), env=env)
        counts = sink.take()
    finally:
        sink.stop()
    expected = {f"signer{g}@example.org" for g in range(1, size + 1)}
    profile_text = batch.pop("profile", "")
    result = {
        "floor": floor,
        "batch": batch,
        "ratio": round(batch["mails_per_second"] / floor["mails_per_second"], 2),
        "received": sum(counts.values()),
        "passes": 3 if profile else 2,
        "recipients_missing": len(expected - counts.keys()),
        "outside_audience": len(counts.keys() - expected),
    }
    return result, profile_text


def prepare_database():
    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(DATABASE)))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT_ROOT,
        env=child_env(),
        check=True,
    )
    with psycopg.connect(f"{POSTGRES_URL}/{DATABASE}", autocommit=True) as connection:
        # Task rows of earlier runs would be run again by the worker.
        connection.execute("DELETE FROM django_tasks_database_dbtaskresult")


def update_status(update_id):
    with psycopg.connect(f"{POSTGRES_URL}/{DATABASE}") as connection:
        status = connection.execute(
            "SELECT status FROM petitions_petitionupdate WHERE id = %s", [update_id]
        ).fetchone()[0]
        rows = dict(
            connection.execute(
                "SELECT status, count(*) FROM petitions_updatedelivery WHERE update_id = %s GROUP BY status",
                [update_id],
            ).fetchall()
        )
    return status, rows


def measure_size(audience, sink):
    fill = run_child("--child", "fill", str(audience))
    update_id = fill["update"]
    env = child_env(EMAIL_URL=f"smtp://127.0.0.1:{sink.port}")

    floor = run_child("--child", "floor", str(update_id), str(audience), str(sink.port))
    floor_counts = sink.take()
    assert sum(floor_counts.values()) == audience, "the sink lost floor mails"

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "send_petition_update", str(update_id)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    start_seconds = time.perf_counter() - started
    worker = run_child("--child", "worker", env=env)
    total_seconds = time.perf_counter() - started
    counts = sink.take()
    expected = {f"signer{g}@example.org" for g in range(1, audience + 1)}
    status, rows = update_status(update_id)
    result = {
        "audience": audience,
        "outside": audience // 5,
        "filled_seconds": fill["filled_seconds"],
        "floor": floor,
        "start_seconds": round(start_seconds, 2),
        "worker": worker,
        "project_mails_per_second": round(audience / total_seconds, 1),
        "update_status": status,
        "delivery_rows": rows,
        "received": sum(counts.values()),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "missing": len(expected - counts.keys()),
        "outside_audience": len(counts.keys() - expected),
    }
    result["ratio"] = round(result["project_mails_per_second"] / floor["mails_per_second"], 2)
    return result


def measure(sizes):
    prepare_database()
    sink = CountingSink()
    sink.start()
    try:
        results = []
        for audience in sizes:
            result = measure_size(audience, sink)
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
        return results
    finally:
        sink.stop()


def cpu_name():
    found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return found.group(1) if found else "unknown"


def report(results, command):
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` on {os.cpu_count()} cores "
        f"({cpu_name()}), a machine shared with other work at the time (load average "
        f"{' '.join(f'{load:.1f}' for load in os.getloadavg())}): read the ratio, measured in the same run, "
        "rather than the rates.",
        "",
        "The sink is aiosmtpd on a loopback port, counting recipients. The floor is a plain `smtplib` loop",
        "sending the update's mail, built once, over one connection. The project is `manage.py",
        "send_petition_update` (the delivery rows in one INSERT … SELECT) and then the real worker",
        "(`db_worker --batch`) sending every batch over `UPDATE_MAIL_CONNECTIONS` SMTP connections at once",
        "(the column: a thread each, with its own database connection, each taking the batch's next mail):",
        "each mail filled in for its signer (name, links, unsubscribe token and headers) into the",
        "composition made once per batch, its row locked and committed as sent in a transaction of its own",
        "(two queries, no wait for the disk).",
        "",
        "| recipients | connections | floor (mails/s) | project (mails/s) | project ÷ floor | worker peak MB "
        "| start (s) | received | duplicates | missing | outside the audience |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['audience']:,} | {r['worker']['connections']} | {r['floor']['mails_per_second']:,} "
            f"| {r['project_mails_per_second']:,} | {r['ratio']:.0%} | {r['worker']['peak_mb']} "
            f"| {r['start_seconds']} | {r['received']:,} | {r['duplicates']} | {r['missing']} "
            f"| {r['outside_audience']} |"
        )
    lines += ["", *verdicts(results)]
    return "\n".join(lines) + "\n"


def verdicts(results):
    judged = [r for r in results if r["audience"] >= TARGET_FROM_RECIPIENTS] or results
    worst = min(r["ratio"] for r in judged)
    sizes = ", ".join(f"{r['audience']:,}" for r in judged)
    exact = all(r["duplicates"] == 0 and r["missing"] == 0 and r["outside_audience"] == 0 for r in results)
    peaks = [r["worker"]["peak_mb"] for r in results]
    flat = max(peaks) - min(peaks) <= FLAT_TOLERANCE_MB
    return [
        f"- Rate: the worker reaches {worst:.0%} of the floor at worst, at {sizes} recipients "
        f"({'meets' if worst >= TARGET_SHARE_OF_FLOOR else 'misses'} the target of "
        f"{TARGET_SHARE_OF_FLOOR:.0%}).",
        f"- Memory: the worker's peak is {min(peaks)}–{max(peaks)} MB across sizes "
        f"({'flat' if flat else 'not flat'}, tolerance {FLAT_TOLERANCE_MB} MB).",
        f"- Delivery: {'exactly one mail per recipient, none outside the audience' if exact else 'NOT EXACT'}"
        " at every size.",
    ]


def write_docs(text):
    write_docs_section(SECTION.removeprefix("## "), text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 recipients")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--batch", type=int, help="time one in-process batch of N mails instead")
    parser.add_argument("--profile", type=int, default=0, help="with --batch: print the K costliest")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        handlers = {
            "fill": lambda: child_fill(int(rest[0])),
            "floor": lambda: child_floor(int(rest[0]), int(rest[1]), int(rest[2])),
            "worker": child_worker,
            "batch": lambda: child_batch(int(rest[0]), int(rest[1])),
        }
        print(json.dumps(handlers[kind]()))
        return
    if args.batch:
        result, profile_text = measure_batch(args.batch, args.profile)
        print(profile_text)
        print(json.dumps(result, indent=2))
        return
    sizes = sorted(set(args.sizes) | ({1_000_000} if args.million else set()))
    results = measure(sizes)
    text = report(results, "python -m bench.updates " + " ".join(sys.argv[1:]))
    print(text)
    if args.write_docs:
        write_docs(text)
    if not all(r["duplicates"] == 0 and r["missing"] == 0 and r["outside_audience"] == 0 for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
