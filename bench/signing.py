"""Signing benchmark: sustained signatures per second through the real sign view, beside two floors.

    .venv/bin/python -m bench.signing [--seconds 30] [--connections 32] [--runs 3]

Needs PostgreSQL at 127.0.0.1:5432 (trust), Redis at 127.0.0.1:6379, and Debian's `wrk` and
`postgresql-client` (for `pgbench`). It builds the `www_bench` database with the demo campaign
(BENCH_DATABASE, BENCH_REDIS_DB=13 to change), then in one run:

1. the project under gunicorn (config/gunicorn.conf.py, DEBUG off, Redis cache): each wrk connection
   signs as a visitor does, again and again: it opens the demo open letter's page (a fresh CSRF
   cookie, CSRF token and timing token) and POSTs its sign form once (validation, rate limit, insert,
   mail task queued) with a new email, for `--seconds` (bench/sign.lua); no token is used twice;
2. the floor: a bare Django view (bench/floor_app) showing the same form, validating it and inserting
   the same row, under the same gunicorn settings, driven the same way;
3. pgbench inserting the same row straight into PostgreSQL.

Each server is first warmed up with `--warm-up` seconds of the same load, not measured: a new worker
process loads code, opens its database connections and fills its caches on its first requests, and
the figures are for signing sustained on running servers. The warm-up's rows are checked like the
measured run's.

It then checks that the table holds exactly one row per successful (302) answer. Latencies are the
POSTs' (sign.lua times them; the GETs are not in them). With `--runs 3` it does it all three times
and reports the median of each figure. It prints a Markdown report with the ratios
(docs/performance.md, "Signing").
"""

import argparse
import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

import statistics
from bench.common import (
    BENCH_DATABASE,
    SERVER_DESCRIPTIONS,
    SERVERS,
    cpu_by_program,
    cpu_used,
    flush_redis,
    gunicorn,
    machine_description,
    manage,
    percentile,
    prepare_database,
    psql,
    require,
    server_env,
    wrk,
)

LUA_SCRIPT = Path(__file__).with_name("sign.lua")
PGBENCH_THREADS = 2


def petition_facts_in_shell():
    """What the benchmarks need to know of the demo open letter; runs in `manage.py shell`.

    With the signature INSERT of the floor's sign view (its values as named parameters) and of
    pgbench (the same values as literals; :client_id and :n make each email unique).
    """
    from bench.signature_sql import SIGNED_FIELDS, signature_insert_sql, sql_literal
    from petitions.models import PetitionPage
    from petitions.signing.facts import consent_wording_ids
    from petitions.signing.rate_limit import hash_client

    petition = PetitionPage.objects.live().exclude(slug__startswith="bench-").order_by("pk").first()
    contact, show = consent_wording_ids(petition)
    ip_hash = hash_client("127.0.0.1")
    pgbench_row = {
        "petition_id": sql_literal(petition.pk),
        "first_name": "'Load'",
        "last_name": "'Test'",
        "email": "'bench-pgbench-' || :client_id || '-' || :n || '@example.org'",
        "postcode": "'SW1A 1AA'",
        "region": "'london'",
        "created_at": "now()",
        "contact_consent": "true",
        "contact_consent_wording_id": sql_literal(contact),
        "show_publicly": "false",
        "show_publicly_wording_id": sql_literal(show),
        "privacy_notice_version": sql_literal(petition.privacy_notice_version),
        "ip_hash": sql_literal(ip_hash),
        "mail_status": "'queued'",
        "mail_queued_at": "now()",
    }
    insert = {"suffix": "ON CONFLICT DO NOTHING RETURNING id"}
    return {
        "petition_id": petition.pk,
        "url": petition.url,
        "contact_wording_id": contact,
        "show_wording_id": show,
        "privacy_notice_version": petition.privacy_notice_version,
        "confirmation_required": petition.confirmation_required,
        "ip_hash": ip_hash,
        "floor_insert_sql": signature_insert_sql({name: f"%({name})s" for name in SIGNED_FIELDS}, **insert),
        "pgbench_script": f"\\set n random(1, 2000000000)\n{signature_insert_sql(pgbench_row, **insert)};\n",
    }


def petition_facts():
    code = "import json; from bench.signing import petition_facts_in_shell as f; print(json.dumps(f()))"
    output = manage("shell", "-c", code, capture=True).stdout
    return json.loads(output.strip().splitlines()[-1])


FLOOR_APP = "bench.floor_app.wsgi:application"


def floor_env(facts):
    """The floor app's environment: the open letter's ids and the INSERT its sign view runs."""
    return server_env(
        DJANGO_SETTINGS_MODULE="bench.floor_app.settings",
        FLOOR_PETITION_ID=facts["petition_id"],
        FLOOR_CONTACT_WORDING_ID=facts["contact_wording_id"],
        FLOOR_SHOW_WORDING_ID=facts["show_wording_id"],
        FLOOR_PRIVACY_NOTICE_VERSION=facts["privacy_notice_version"],
        FLOOR_INSERT_SIGNATURE=facts["floor_insert_sql"],
    )


def delete_bench_rows():
    psql(
        "DELETE FROM petitions_signature WHERE email LIKE 'bench-%';"
        "DELETE FROM django_tasks_database_dbtaskresult;"
        "VACUUM ANALYZE petitions_signature;"
        "VACUUM ANALYZE django_tasks_database_dbtaskresult;"
    )


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
    """Drive one server with wrk; the POSTs' latencies plus what the table and the answers say."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as latencies:
        env = {
            "BENCH_FORM_PATH": form_path,
            "BENCH_SIGN_PATH": sign_path,
            "BENCH_RUN_ID": run_id,
            "BENCH_POST_SECONDS": str(seconds),
            "BENCH_LATENCY_FILE": latencies.name,
            "PATH": "/usr/bin:/bin",
        }
        # One thread per connection, so that sign.lua can time each POST; wrk runs a few seconds past
        # the deadline so every answer to a request sent arrives.
        cpu_before = cpu_by_program()
        result = wrk(
            base_url + form_path,
            seconds + 5,
            connections=connections,
            threads=connections,
            script=LUA_SCRIPT,
            env=env,
        )
        cpu = cpu_used(cpu_before, cpu_by_program())
        post_ms = [float(line) for line in latencies.read().split()]
    answers = dict(re.findall(r"(\w+)=(\d+)", re.search(r"^BENCH (.*)$", result["output"], re.M).group(1)))
    rows, first, last = psql(
        "SELECT count(*), extract(epoch FROM min(created_at)), extract(epoch FROM max(created_at)) "
        "FROM petitions_signature WHERE email LIKE :'run_id' || '-%'",
        run_id=run_id,
    )[0]
    signed = int(answers["signed"])
    window = float(last) - float(first) if int(rows) > 1 else float(seconds)
    return {
        "command": result["command"].replace(f"-d{seconds + 5}s", f"-d{seconds + 5}s (signs for {seconds}s)"),
        "p50_ms": percentile(post_ms, 0.5),
        "p99_ms": percentile(post_ms, 0.99),
        "signed": signed,
        "refused": int(answers["refused"]),
        "failed": int(answers["failed"]),
        "no_form": int(answers["no_form"]),
        "rows": int(rows),
        "window_s": window,
        "signatures_per_s": signed / window,
        # CPU ms per signature (its GET and POST) by program, over the whole wrk run.
        "cpu_ms": {program: used * 1000 / max(1, signed) for program, used in cpu.items()},
    }


def run_pgbench(facts, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(facts["pgbench_script"])
    command = [
        "pgbench", "-n", "-c", str(connections), "-j", str(PGBENCH_THREADS), "-T", str(seconds),
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
        f"{result['refused']} refused, {result['failed']} server errors, "
        f"{result['no_form']} forms without tokens"
    ), exact


def cpu_line(cpu_ms):
    """ "app server 1.92, postgres 0.61, ... (all 3.10)": where a signature's CPU went."""
    parts = ", ".join(f"{program} {ms:.2f}" for program, ms in cpu_ms.items())
    return f"{parts} (all {sum(cpu_ms.values()):.2f})"


def median(runs, server, figure):
    return statistics.median(run[server][figure] for run in runs)


def report(runs, facts, args):
    """The Markdown report (medians when there are several runs), and whether every success had its row."""
    seconds, connections = args.seconds, args.connections
    for run in runs:
        run["ratio"] = run["project"]["signatures_per_s"] / run["floor"]["signatures_per_s"]
    ratio = statistics.median(run["ratio"] for run in runs)
    project_rate, floor_rate = (
        median(runs, "project", "signatures_per_s"),
        median(runs, "floor", "signatures_per_s"),
    )
    project_p99 = median(runs, "project", "p99_ms")
    pgbench_tps = median(runs, "pgbench", "tps")
    lines = [
        *machine_description(),
        f"- Server: {SERVER_DESCRIPTIONS[args.server]}, project and floor alike; "
        f"wrk {connections} connections (a thread each), "
        f"each signing for {seconds} s after {args.warm_up} s of warm-up (a GET of the form, then its POST); "
        f"pgbench {connections} clients",
        f"- Demo open letter, confirmation required: {facts['confirmation_required']}",
        f"- Runs: {len(runs)}" + ("; each figure is the median of the runs" if len(runs) > 1 else ""),
        "",
        "| server | signatures/s | POST p50 ms | POST p99 ms | vs bare view |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| project sign view | {project_rate:.0f} | {median(runs, 'project', 'p50_ms'):.1f} "
        f"| {project_p99:.1f} | {ratio:.0%} |",
        f"| bare Django view (floor) | {floor_rate:.0f} | {median(runs, 'floor', 'p50_ms'):.1f} "
        f"| {median(runs, 'floor', 'p99_ms'):.1f} | 100% |",
        f"| pgbench INSERT (floor) | {pgbench_tps:.0f} "
        f"| {median(runs, 'pgbench', 'latency_ms'):.1f} (mean) | | "
        f"{pgbench_tps / floor_rate:.0%} |",
        "",
    ]
    all_exact = True
    for number, run in enumerate(runs, start=1):
        project, floor = run["project"], run["floor"]
        lines.append(
            f"- run {number}: project / floor {project['signatures_per_s']:.0f} / "
            f"{floor['signatures_per_s']:.0f} "
            f"signatures/s ({run['ratio']:.0%}), project POST p99 {project['p99_ms']:.1f} ms"
        )
        for result, name in ((project, "project"), (floor, "floor")):
            line, exact = check(result, name)
            all_exact &= exact
            lines.append(f"  - {line}")
            lines.append(f"  - {name}'s CPU per signature, ms: {cpu_line(result['cpu_ms'])}")
    targets = [
        ("at least 70% of the bare view", ratio >= 0.7),
        ("p99 under 200 ms", project_p99 < 200),
        ("none lost", all_exact and not any(run["project"]["failed"] for run in runs)),
    ]
    lines.append("- Targets: " + "; ".join(f"{name}: {'met' if met else 'MISSED'}" for name, met in targets))
    last = runs[-1]
    commands = [last["project"]["command"], last["floor"]["command"], last["pgbench"]["command"]]
    lines += ["", "Commands:", "", "```", *commands, "```"]
    return "\n".join(lines), all_exact


def run_once(facts, args):
    """The project, the floor and pgbench, one after the other, with rows of earlier runs gone."""
    delete_bench_rows()
    flush_redis()
    run_id = f"bench-{int(time.time())}"
    with gunicorn(server_env(), server=args.server) as base_url:
        project = warm_up_and_run(
            base_url, facts["url"], f"/petitions/{facts['petition_id']}/sign/", f"{run_id}-project", args
        )
    with gunicorn(floor_env(facts), app=FLOOR_APP, server=args.server) as base_url:
        floor = warm_up_and_run(base_url, "/sign/", "/sign/", f"{run_id}-floor", args)
    pgbench = run_pgbench(facts, min(args.seconds, 15), args.connections)
    return {"project": project, "floor": floor, "pgbench": pgbench}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warm-up", type=int, default=10, help="seconds of unmeasured load first")
    parser.add_argument("--runs", type=int, default=1, help="repeat, and report the median of each figure")
    parser.add_argument(
        "--server", choices=SERVERS, default=SERVERS[0], help="the app server, for project and floor alike"
    )
    args = parser.parse_args()
    require("wrk", "psql", "pgbench", "redis-cli")

    prepare_database()
    facts = petition_facts()
    runs = [run_once(facts, args) for _ in range(args.runs)]
    text, all_exact = report(runs, facts, args)
    print(text)
    delete_bench_rows()
    raise SystemExit(0 if all_exact else 1)


if __name__ == "__main__":
    main()
