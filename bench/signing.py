"""Signing benchmark: sustained signatures per second through the real sign view, beside two floors.

    .venv/bin/python -m bench.signing [--seconds 30] [--connections 32]

Needs PostgreSQL at 127.0.0.1:5432 (trust), Redis at 127.0.0.1:6379, and Debian's `wrk` and
`postgresql-client` (for `pgbench`). It builds the `www_bench` database with the demo campaign
(BENCH_DATABASE, BENCH_REDIS_DB=13 to change), then in one run:

1. the project under gunicorn (config/gunicorn.conf.py, DEBUG off, Redis cache): wrk POSTs the demo
   open letter's sign form (CSRF cookie and token, timing token, validation, rate limit and the
   token's single use, insert, mail task queued) with a new email and a new form token on every
   request, for `--seconds`;
2. the floor: a bare Django view (bench/floor_app) validating the same form and inserting the same
   row, under the same gunicorn settings, driven the same way;
3. pgbench inserting the same row straight into PostgreSQL.

Each server is first warmed up with `--warm-up` seconds of the same load, not measured: a new worker
process loads code, opens its database connections and fills its caches on its first requests, and
the figures are for signing sustained on running servers. The warm-up's rows are checked like the
measured run's.

It then checks that the table holds exactly one row per successful (302) answer, and prints a
Markdown report with the ratios (docs/performance.md, "Signing").
"""

import argparse
import http.cookiejar
import json
import re
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench.common import (
    BENCH_DATABASE,
    flush_redis,
    gunicorn,
    machine_description,
    manage,
    prepare_database,
    psql,
    require,
    server_env,
    wrk,
)

LUA_SCRIPT = Path(__file__).with_name("sign.lua")
WRK_THREADS = 2
# The same row the sign view inserts, for the demo open letter; :n makes each email unique.
PGBENCH_SCRIPT = """\\set n random(1, 2000000000)
INSERT INTO petitions_signature (
    petition_id, first_name, last_name, email, postcode, region, created_at, confirmed_at,
    contact_consent, contact_consent_wording_id, show_publicly, show_publicly_wording_id,
    privacy_notice_version, invalidated_at, invalidation_reason, anonymised_at, ip_hash,
    mail_status, mail_attempts, mail_queued_at, mail_next_attempt_at, mail_sent_at, mail_last_error
) VALUES (
    {petition_id}, 'Load', 'Test', 'bench-pgbench-' || :client_id || '-' || :n || '@example.org', 'SW1A 1AA',
    'london', now(), NULL, true, {contact_wording_id}, false, {show_wording_id}, '{privacy_notice_version}',
    NULL, '', NULL, '{ip_hash}', 'queued', 0, now(), NULL, NULL, ''
) ON CONFLICT DO NOTHING RETURNING id;
"""

PETITION_FACTS = """
import json
from petitions.abuse import hash_client
from petitions.models import PetitionPage
from petitions.signing import consent_wording_ids
petition = PetitionPage.objects.live().exclude(slug__startswith="bench-").order_by("pk").first()
contact, show = consent_wording_ids(petition)
print(json.dumps({
    "petition_id": petition.pk, "url": petition.url, "contact_wording_id": contact,
    "show_wording_id": show, "privacy_notice_version": petition.privacy_notice_version,
    "confirmation_required": petition.confirmation_required, "ip_hash": hash_client("127.0.0.1"),
}))
"""


def petition_facts():
    output = manage("shell", "-c", PETITION_FACTS, capture=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def delete_bench_rows():
    psql(
        "DELETE FROM petitions_signature WHERE email LIKE 'bench-%';"
        "DELETE FROM django_tasks_database_dbtaskresult;"
        "VACUUM ANALYZE petitions_signature;"
        "VACUUM ANALYZE django_tasks_database_dbtaskresult;"
    )


# Form tokens made for each wrk thread and run, one a request: a token signs once. Enough for this many
# requests a second in each thread; after that they are used again, and refused (counted as "refused").
TOKENS_PER_SECOND_PER_THREAD = 1500
MAKE_FORM_TOKENS = """
import os
from urllib.parse import quote
from petitions.abuse import make_form_token
count = int(os.environ["BENCH_TOKENS"])
with open(os.environ["BENCH_TOKEN_FILE"], "w") as tokens:
    tokens.writelines(quote(make_form_token(), safe="") + "\\n" for _ in range(count))
"""


def make_form_tokens(path, count):
    """Write `count` form tokens to `path`, made with the servers' key (as the sign form makes them)."""
    manage("shell", "-c", MAKE_FORM_TOKENS, env=server_env(BENCH_TOKEN_FILE=path, BENCH_TOKENS=count))


def form_fields(base_url, form_path):
    """Open the sign form as a visitor does: (CSRF cookie, urlencoded fields without email and form token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + form_path, timeout=30).read().decode()
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert 'name="form_token"' in page
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    fields = {
        "csrfmiddlewaretoken": csrf_token,
        "first_name": "Load",
        "last_name": "Test",
        "postcode": "SW1A 1AA",
        "contact_consent": "on",
    }
    return cookie, "&".join(f"{name}={quote(value)}" for name, value in fields.items())


def warm_up_and_run(base_url, form_path, sign_path, run_id, args):
    """Warm the server up with the same load (not measured, but checked), then the measured run."""
    # Its own prefix: the measured run's rows are found by `<run_id>-%`.
    warm_up_id = run_id.replace("bench-", "bench-warm-up-", 1)
    warm_up = run_signing(base_url, form_path, sign_path, warm_up_id, args.warm_up, args.connections)
    line, exact = check(warm_up, "warm-up")
    if not exact or warm_up["failed"]:
        raise SystemExit(f"The warm-up lost signatures or failed: {line}")
    return run_signing(base_url, form_path, sign_path, run_id, args.seconds, args.connections)


def run_signing(base_url, form_path, sign_path, run_id, seconds, connections):
    """Drive one server with wrk; the wrk figures plus what the table and the answers say."""
    env = {
        "BENCH_SIGN_PATH": sign_path,
        "BENCH_RUN_ID": run_id,
        "BENCH_POST_SECONDS": str(seconds),
        "PATH": "/usr/bin:/bin",
    }
    with tempfile.TemporaryDirectory() as token_dir:
        for thread in range(WRK_THREADS):
            env[f"BENCH_COOKIE_{thread}"], env[f"BENCH_BODY_{thread}"] = form_fields(base_url, form_path)
            env[f"BENCH_TOKENS_{thread}"] = f"{token_dir}/tokens-{thread}"
            make_form_tokens(env[f"BENCH_TOKENS_{thread}"], seconds * TOKENS_PER_SECOND_PER_THREAD)
        # wrk runs a few seconds past the deadline so every answer to a request sent arrives.
        result = wrk(
            base_url + sign_path,
            seconds + 5,
            connections=connections,
            threads=WRK_THREADS,
            script=LUA_SCRIPT,
            env=env,
        )
    answers = dict(re.findall(r"(\w+)=(\d+)", re.search(r"^BENCH (.*)$", result["output"], re.M).group(1)))
    rows, first, last = psql(
        "SELECT count(*), extract(epoch FROM min(created_at)), extract(epoch FROM max(created_at)) "
        "FROM petitions_signature WHERE email LIKE :'run_id' || '-%'",
        run_id=run_id,
    )[0]
    signed = int(answers["signed"])
    window = float(last) - float(first) if int(rows) > 1 else float(seconds)
    return {
        **result,
        "signed": signed,
        "refused": int(answers["refused"]),
        "failed": int(answers["failed"]),
        "rows": int(rows),
        "window_s": window,
        "signatures_per_s": signed / window,
        "command": result["command"].replace(f"-d{seconds + 5}s", f"-d{seconds + 5}s (POSTs for {seconds}s)"),
    }


def run_pgbench(facts, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT.format(**facts))
    command = [
        "pgbench", "-n", "-c", str(connections), "-j", str(WRK_THREADS), "-T", str(seconds),
        "-f", script.name, "-h", "127.0.0.1", "-U", "postgres", BENCH_DATABASE,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    return {
        "command": " ".join(command[:-7] + ["-f", "<insert-signature.sql>", BENCH_DATABASE]),
        "tps": float(re.search(r"tps = ([\d.]+)", output).group(1)),
        "latency_ms": float(re.search(r"latency average = ([\d.]+) ms", output).group(1)),
    }


def check(result, name):
    """A line saying whether every successful answer has exactly its row."""
    exact = result["rows"] == result["signed"]
    verdict = "exactly one row per success" if exact else "MISMATCH"
    return (
        f"{name}: {result['signed']} successes, {result['rows']} rows ({verdict}); "
        f"{result['refused']} refused, {result['failed']} server errors"
    ), exact


def report(project, floor, pgbench, facts, args):
    seconds, connections = args.seconds, args.connections
    ratio = project["signatures_per_s"] / floor["signatures_per_s"]
    lines = [
        *machine_description(),
        f"- gunicorn: config/gunicorn.conf.py defaults (gthread), wrk {WRK_THREADS} threads, "
        f"{connections} connections, POSTs for {seconds} s after {args.warm_up} s of warm-up; "
        f"pgbench {connections} clients",
        f"- Demo open letter, confirmation required: {facts['confirmation_required']}",
        "",
        "| server | signatures/s | p50 ms | p99 ms | vs bare view |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| project sign view | {project['signatures_per_s']:.0f} | {project['p50_ms']:.1f} "
        f"| {project['p99_ms']:.1f} | {ratio:.0%} |",
        f"| bare Django view (floor) | {floor['signatures_per_s']:.0f} | {floor['p50_ms']:.1f} "
        f"| {floor['p99_ms']:.1f} | 100% |",
        f"| pgbench INSERT (floor) | {pgbench['tps']:.0f} | {pgbench['latency_ms']:.1f} (mean) | | "
        f"{pgbench['tps'] / floor['signatures_per_s']:.0%} |",
        "",
    ]
    all_exact = True
    for result, name in ((project, "project"), (floor, "floor")):
        line, exact = check(result, name)
        all_exact &= exact
        lines.append(f"- {line}")
    targets = [
        ("at least 50% of the bare view", ratio >= 0.5),
        ("at least 500 signatures/s", project["signatures_per_s"] >= 500),
        ("p99 under 250 ms", project["p99_ms"] < 250),
        ("none lost", all_exact and project["failed"] == 0),
    ]
    lines.append("- Targets: " + "; ".join(f"{name}: {'met' if met else 'MISSED'}" for name, met in targets))
    lines += ["", "Commands:", "", "```", project["command"], floor["command"], pgbench["command"], "```"]
    return "\n".join(lines), all_exact


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warm-up", type=int, default=10, help="seconds of unmeasured load first")
    args = parser.parse_args()
    require("wrk", "psql", "pgbench", "redis-cli")

    prepare_database()
    facts = petition_facts()
    delete_bench_rows()
    flush_redis()
    run_id = f"bench-{int(time.time())}"

    with gunicorn(server_env()) as base_url:
        project = warm_up_and_run(
            base_url, facts["url"], f"/petitions/{facts['petition_id']}/sign/", f"{run_id}-project", args
        )
    floor_env = server_env(
        DJANGO_SETTINGS_MODULE="bench.floor_app.settings",
        FLOOR_PETITION_ID=facts["petition_id"],
        FLOOR_CONTACT_WORDING_ID=facts["contact_wording_id"],
        FLOOR_SHOW_WORDING_ID=facts["show_wording_id"],
        FLOOR_PRIVACY_NOTICE_VERSION=facts["privacy_notice_version"],
    )
    with gunicorn(floor_env, app="bench.floor_app.wsgi:application") as base_url:
        floor = warm_up_and_run(base_url, "/sign/", "/sign/", f"{run_id}-floor", args)
    pgbench = run_pgbench(facts, min(args.seconds, 15), args.connections)

    text, all_exact = report(project, floor, pgbench, facts, args)
    print(text)
    delete_bench_rows()
    raise SystemExit(0 if all_exact else 1)


if __name__ == "__main__":
    main()
