"""News-day benchmark: the site under a mixed load while an editor publishes or data staff import; a floor.

    .venv/bin/python -m bench.news_day [--event publish|import] [--seconds 30] [--after 20] [--runs 1]

Needs PostgreSQL at 127.0.0.1:5432 (trust), Redis at 127.0.0.1:6379 and aiohttp (requirements-dev.txt).
It builds the `www_bench` database with the demo campaign and the page-view benchmark's campaign page
(five widgets and the sign form; BENCH_DATABASE, BENCH_REDIS_DB=13 to change), then in each run:

1. the project under gunicorn (config/gunicorn.conf.py, production settings, Redis), with the task
   worker (`manage.py db_worker`) sending the confirmation mails to a real SMTP server (aiosmtpd,
   a process of its own), driven by one asyncio client holding four pools of connections, each a
   closed loop (a new request as soon as the last is answered):
   - page views: every public page type, anonymous, no cookies (each request a new visitor), in the
     weights of PAGE_WEIGHTS: most of the traffic;
   - signings: open the open letter's page (a fresh sign form and CSRF cookie), POST it once with a new
     email, repeat: every timing token is used for one signature only;
   - count refreshes: the open letter's `count.json`;
   - visitors with a session (a real session row and its cookie, so the page cache cannot answer them)
     viewing the campaign page;
   after `--warm-up` seconds (not reported) and `--seconds` of steady load, a process of its own (Django
   already loaded, so its start-up is not part of the event) publishes a new revision of the campaign
   page through Wagtail's API with an editor as the user (`--event publish`), or imports a changed file
   into the demo dataset through `manage.py import_observations`, changing a figure the campaign page's
   first widget shows (`--event import`); the load goes on for the EVENT_WINDOW seconds after it and
   `--after` seconds more;
2. the floor: the bare-view app (bench/floor_app) under the same load shape, each kind mapped onto its
   bare counterpart (a small template for every page and for the session visitors, the bare sign form
   and insert, a bare JSON count), with the same timeline and no event.

For each kind of request and each phase (steady; the EVENT_WINDOW seconds from the event; after) it
reports requests per second, p50 and p99, the floor's figures and the ratio, errors (answers other than
2xx/3xx, socket errors) and how busy the client itself was. Afterwards it checks the signatures: one row
per successful sign answer, one mail per row sent by the worker, a sample confirmed through the links in
those mails (`--confirm`), and the open letter's counters equal to a COUNT of its counted rows and grown
by exactly the confirmations. With `--runs 3` it repeats and reports the median of each figure.
Targets and how to read the report: docs/performance.md, "News day".

One script past ~400 lines on purpose: a benchmark someone runs by hand and reads top to bottom
(set-up, load, event, checks, report); split into modules it would be harder to follow and rerun.
"""

import argparse
import asyncio
import csv
import email
import email.policy
import io
import json
import re
import resource
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from pathlib import Path

import aiohttp

import statistics
from bench.common import (
    PYTHON,
    background,
    flush_redis,
    free_port,
    gunicorn,
    machine_description,
    manage,
    percentile,
    prepare_database,
    psql,
    require,
    server_env,
    wait_for_port,
)
from bench.page_views import build_pages
from bench.signing import FLOOR_APP, delete_bench_rows, floor_env, petition_facts

EVENT_WINDOW = 10
PHASES = ("steady", "event", "after")
PHASE_NAMES = {"steady": "steady", "event": f"{EVENT_WINDOW} s after the event", "after": "after"}
# Share of the page views each page type gets (a weight of 4 is four times as many views as 1).
PAGE_WEIGHTS = {
    "home page": 4,
    "campaign page": 4,
    "open letter": 3,
    "news article": 4,
    "news index": 2,
    "standard page": 1,
    "data index": 1,
    "dataset page": 1,
    "signers list": 1,
    "search": 1,
}
SIGN_FORM, SIGN, COUNT, SESSION = "sign form", "sign", "count.json", "session: campaign page"
PAGE_VIEWS = "page views (all types)"
KINDS = (*PAGE_WEIGHTS, PAGE_VIEWS, SIGN_FORM, SIGN, COUNT, SESSION)
# Kinds whose answers show the change the event makes.
WATCHED = ("campaign page", SESSION)
REQUEST_TIMEOUT = 10
# The demo figure the import changes grows by this much in each run, so every run changes it.
FIGURE_STEP = 111


# In `manage.py shell` ------------------------------------------------------------------------------


def news_day_facts_in_shell(sessions):
    """The paths of every page type, `sessions` real sessions, and the dataset file the import changes."""
    from django.contrib.sessions.backends.db import SessionStore

    from campaign.models import NewsIndexPage, StandardPage
    from core.demo_content import read_demo_content
    from statistics.demo import APP_FOLDER, DEMO_CONTENT

    keys = []
    for number in range(sessions):
        session = SessionStore()
        # What a visitor part-way through something holds; its cookie is what the page cache looks for.
        session["news_day_visitor"] = number
        session.create()
        keys.append(session.session_key)
    demo = read_demo_content(DEMO_CONTENT)
    data_file = APP_FOLDER / demo["dataset"]["data_file"]
    rows = list(csv.DictReader(io.StringIO(data_file.read_text(encoding="utf-8-sig"))))
    # The figure the campaign page's first widget shows, as the demo names it.
    figure = demo["widgets"]["facebook_apps_total"]["figures"][0]
    wanted = (figure["area"], figure["platform"], figure.get("measure", demo["measure"]))
    figure_row = next(
        index for index, row in enumerate(rows) if (row["area"], row["platform"], row["measure"]) == wanted
    )
    return {
        "news_index": NewsIndexPage.objects.live().order_by("pk").first().url,
        "standard_page": StandardPage.objects.live().filter(slug="about").first().url,
        "dataset": demo["dataset"]["slug"],
        "sessions": keys,
        "import_rows": rows,
        "figure_row": figure_row,
    }


def publish_when_told(page_path, marker):
    """Wait for a line on stdin, then publish a new revision of the page as an editor does; print the times.

    The change is a paragraph of the intro holding `marker`, replacing the one an earlier run added.
    """
    import sys

    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    page_id = Page.objects.get(url_path__endswith=page_path).pk
    editor = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    sys.stdin.readline()
    started = time.time()
    page = Page.objects.get(pk=page_id).specific
    intro = re.sub(r'<p data-block-key="news-day">.*?</p>', "", page.intro)
    page.intro = f'{intro}<p data-block-key="news-day">News-day update {marker}.</p>'
    page.save_revision(user=editor, log_action=True).publish(user=editor)
    print(json.dumps({"started": started, "done": time.time()}), flush=True)


def import_when_told(dataset, path):
    """Wait for a line on stdin, then import `path` with the real command; print the times."""
    import sys

    from django.core.management import call_command

    sys.stdin.readline()
    started = time.time()
    call_command("import_observations", dataset, path, stdout=io.StringIO())
    print(json.dumps({"started": started, "done": time.time()}), flush=True)


# The load --------------------------------------------------------------------------------------------


class Timeline:
    """When each phase starts, in seconds from the start of the load."""

    def __init__(self, warm_up, steady, after):
        self.steady_at = warm_up
        self.event_at = warm_up + steady
        self.after_at = self.event_at + EVENT_WINDOW
        self.end = self.after_at + after
        self.seconds = {"steady": steady, "event": EVENT_WINDOW, "after": after}

    def phase(self, offset):
        if offset < self.steady_at or offset >= self.end:
            return None
        if offset < self.event_at:
            return "steady"
        return "event" if offset < self.after_at else "after"


class Recorder:
    """Each answer's latency by kind and phase, the errors, and what the page cache and the sign view said."""

    def __init__(self, timeline, marker):
        self.timeline = timeline
        self.marker = marker.encode()
        self.started = time.monotonic()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(Counter)
        self.cache = defaultdict(Counter)
        self.signs = Counter()
        # (seconds from the event, kind, showed the change) for each watched answer started after it.
        self.watched = []
        self.event_started = None

    def offset(self):
        return time.monotonic() - self.started

    def running(self):
        return self.offset() < self.timeline.end

    async def fetch(self, session, kind, method, url, **options):
        """(status, headers, body) of one request, or None after a socket error; recorded."""
        start = self.offset()
        phase = self.timeline.phase(start)
        try:
            async with session.request(method, url, allow_redirects=False, **options) as response:
                body = await response.read()
        except (TimeoutError, OSError, aiohttp.ClientError) as error:
            if phase:
                self.errors[kind, phase][type(error).__name__] += 1
            return None
        milliseconds = (self.offset() - start) * 1000
        if phase:
            self.latencies[kind, phase].append(milliseconds)
            if response.status >= 400:
                self.errors[kind, phase][f"HTTP {response.status}"] += 1
            self.cache[kind, phase][response.headers.get("X-Page-Cache", "-")] += 1
        if kind in WATCHED and self.event_started is not None and start >= self.event_started:
            self.watched.append((start - self.event_started, kind, self.marker in body))
        return response.status, response.headers, body


def _hidden(body, name):
    found = re.search(rf'name="{name}" value="([^"]+)"'.encode(), body)
    return found.group(1).decode() if found else None


async def page_visitor(recorder, session, base_url, pages, start):
    index = start
    while recorder.running():
        kind, path = pages[index % len(pages)]
        index += 1
        await recorder.fetch(session, kind, "GET", base_url + path)


async def signer(recorder, session, base_url, target, run_id, number):
    """A new visitor each time: the sign form with its own tokens and CSRF cookie, one POST, again."""
    sent = 0
    while recorder.running():
        form = await recorder.fetch(session, SIGN_FORM, "GET", base_url + target["sign_form"])
        if form is None or form[0] != 200:
            continue
        _status, headers, body = form
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        csrf_token, form_token = _hidden(body, "csrfmiddlewaretoken"), _hidden(body, "form_token")
        if not (cookie and csrf_token and form_token):
            recorder.signs["form without tokens"] += 1
            continue
        sent += 1
        fields = {
            "csrfmiddlewaretoken": csrf_token,
            "form_token": form_token,
            "first_name": "News",
            "last_name": "Day",
            "email": f"{run_id}-c{number}-{sent}@example.org",
            "postcode": "SW1A 1AA",
            "contact_consent": "on",
        }
        answer = await recorder.fetch(
            session,
            SIGN,
            "POST",
            base_url + target["sign"],
            data=fields,
            headers={"Cookie": f"csrftoken={cookie[1]}"},
        )
        if answer is None:
            recorder.signs["no answer"] += 1
        elif answer[0] == 302:
            recorder.signs["signed"] += 1
        elif answer[0] < 500:
            recorder.signs["refused"] += 1
        else:
            recorder.signs["failed"] += 1


async def count_refresher(recorder, session, base_url, target):
    while recorder.running():
        await recorder.fetch(session, COUNT, "GET", base_url + target["count"])


async def session_visitor(recorder, session, base_url, target, session_key):
    cookies = {"sessionid": session_key}
    while recorder.running():
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        answer = await recorder.fetch(
            session, SESSION, "GET", base_url + target["session"], headers={"Cookie": header}
        )
        if answer and (found := re.search(r"csrftoken=([^;]+)", answer[1].get("Set-Cookie", ""))):
            cookies["csrftoken"] = found[1]


async def loop_lag(recorder, lags):
    """How late the client's event loop wakes up: a busy client delays every answer it measures."""
    while recorder.running():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        phase = recorder.timeline.phase(recorder.offset())
        if phase:
            lags[phase].append((time.monotonic() - before - 0.01) * 1000)


async def trigger_event(recorder, event):
    """At the event's time, cue the waiting process; when it started and ended, in seconds from the cue."""
    await asyncio.sleep(max(0, recorder.timeline.event_at - recorder.offset()))
    recorder.event_started = recorder.offset()
    if event is None:
        return None
    triggered = time.time()
    event.stdin.write("go\n")
    event.stdin.flush()
    line = " "
    while line and not line.startswith("{"):
        line = await asyncio.get_running_loop().run_in_executor(None, event.stdout.readline)
    if not line:
        return {"failed": event.wait()}
    times = json.loads(line)
    return {"started": times["started"] - triggered, "done": times["done"] - triggered}


class ClientCpu:
    """The share of one core the client used in each phase (it is one thread: near 1.0 is saturated)."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.share = {}

    async def watch(self):
        timeline = self.recorder.timeline
        starts = {"steady": timeline.steady_at, "event": timeline.event_at, "after": timeline.after_at}
        ends = {"steady": timeline.event_at, "event": timeline.after_at, "after": timeline.end}
        for phase in PHASES:
            await asyncio.sleep(max(0, starts[phase] - self.recorder.offset()))
            cpu, wall = _cpu_seconds(), time.monotonic()
            await asyncio.sleep(max(0, ends[phase] - self.recorder.offset()))
            self.share[phase] = (_cpu_seconds() - cpu) / (time.monotonic() - wall)


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(base_url, target, args, run_id, event=None, marker=""):
    """The whole timeline of load against one server; what the recorder and the client measured."""
    timeline = Timeline(args.warm_up, args.seconds, args.after)
    recorder = Recorder(timeline, marker)
    pages = [(kind, target["pages"][kind]) for kind, weight in PAGE_WEIGHTS.items() for _ in range(weight)]
    sessions = []

    def connection():
        # One connection per visitor, kept alive, and no cookie jar: each sends the cookies it means to.
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        sessions.append(session)
        return session

    # Visitors start at different places in the page list, so every type is asked for all the time.
    visitors = [
        page_visitor(recorder, connection(), base_url, pages, number * len(pages) // args.page_connections)
        for number in range(args.page_connections)
    ]
    visitors += [
        signer(recorder, connection(), base_url, target, run_id, n) for n in range(args.sign_connections)
    ]
    visitors += [
        count_refresher(recorder, connection(), base_url, target) for _ in range(args.count_connections)
    ]
    visitors += [
        session_visitor(recorder, connection(), base_url, target, key)
        for key in target["sessions"][: args.session_connections]
    ]
    lags = defaultdict(list)
    cpu = ClientCpu(recorder)
    try:
        event_times, *_ = await asyncio.gather(
            trigger_event(recorder, event), loop_lag(recorder, lags), cpu.watch(), *visitors
        )
    finally:
        for session in sessions:
            await session.close()
    return {"recorder": recorder, "event": event_times, "lags": lags, "client_cpu": cpu.share}


# Figures ---------------------------------------------------------------------------------------------


def figures(measured):
    """{(kind, phase, figure): value} for one server's run: rps, p50, p99, errors, page-cache hits."""
    recorder = measured["recorder"]
    seconds = recorder.timeline.seconds
    result = {}
    for phase in PHASES:
        grouped = {kind: (recorder.latencies[kind, phase], recorder.errors[kind, phase]) for kind in KINDS}
        grouped[PAGE_VIEWS] = (
            [ms for kind in PAGE_WEIGHTS for ms in recorder.latencies[kind, phase]],
            sum((recorder.errors[kind, phase] for kind in PAGE_WEIGHTS), Counter()),
        )
        for kind, (latencies, errors) in grouped.items():
            result[kind, phase, "rps"] = len(latencies) / seconds[phase]
            result[kind, phase, "p50"] = percentile(latencies, 0.5)
            result[kind, phase, "p99"] = percentile(latencies, 0.99)
            result[kind, phase, "errors"] = sum(errors.values())
        for kind in (*PAGE_WEIGHTS, SESSION):
            answers = recorder.cache[kind, phase]
            total = sum(answers.values())
            result[kind, phase, "hits"] = answers["HIT"] / total if total else None
            # The previous rendering, served while one request re-renders the page after a purge.
            result[kind, phase, "stale"] = answers["STALE"] / total if total else None
        result["client", phase, "cpu"] = measured["client_cpu"].get(phase)
        result["client", phase, "lag_p99"] = percentile(measured["lags"][phase], 0.99)
    return result


def error_lines(measured, server):
    recorder = measured["recorder"]
    lines = []
    for (kind, phase), errors in sorted(recorder.errors.items()):
        if errors:
            described = ", ".join(f"{count} × {what}" for what, count in errors.most_common())
            lines.append(f"{server}, {kind}, {PHASE_NAMES[phase]}: {described}")
    return lines


def event_figures(measured, event_name):
    """When the event ran and when visitors first saw its change, in seconds from the trigger."""
    times = measured["event"] or {}
    if "failed" in times:
        return {"failed": times["failed"]}
    done = times.get("done")
    watched = measured["recorder"].watched
    fresh = [offset for offset, _kind, changed in watched if changed]
    return {
        "event": event_name,
        "done": done,
        "first_fresh": min(fresh) if fresh else None,
        # Answers to requests sent after the change was committed that still showed the old content.
        "stale_after_done": sum(
            1 for offset, _kind, changed in watched if done is not None and offset > done and not changed
        ),
        "watched": len(watched),
    }


def median_figures(runs):
    """{key: median over the runs} for every figure a run has."""
    keys = {key for run in runs for key in run}
    result = {}
    for key in keys:
        values = [run[key] for run in runs if run.get(key) is not None]
        result[key] = statistics.median(values) if values else None
    return result


# Servers and the event's process ---------------------------------------------------------------------


def in_shell(function, *arguments):
    """Arguments for `manage.py` running one function of this module with JSON-able arguments.

    What the function returns is printed as the last line of JSON.
    """
    code = (
        f"import json; from bench.news_day import {function}; "
        f"print(json.dumps({function}(*json.loads({json.dumps(json.dumps(arguments))}))))"
    )
    return ["shell", "--no-imports", "-c", code]


def shell_result(function, *arguments):
    """Run one function of this module in `manage.py shell`; what it returned."""
    output = manage(*in_shell(function, *arguments), capture=True).stdout
    return json.loads(output.strip().splitlines()[-1])


@contextmanager
def event_process(env, kind, log_path, details):
    """The editor's publish or the data import, loaded and waiting for its cue on stdin."""
    if kind == "publish":
        arguments = in_shell("publish_when_told", details["page"], details["marker"])
    else:
        arguments = in_shell("import_when_told", details["dataset"], str(details["import_file"]))
    with background(
        [PYTHON, "manage.py", *arguments], env, log_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as process:
        yield process


def write_import_file(facts, path, run_number):
    """The demo dataset's reference file with the figure the campaign page's first widget shows changed."""
    rows = [dict(row) for row in facts["import_rows"]]
    figure = rows[facts["figure_row"]]
    value = int(figure["value"]) + FIGURE_STEP * run_number
    figure["value"] = str(value)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # As the widget shows it: a whole number with thousands separated.
    return f"{value:,}"


# Checks after the load -------------------------------------------------------------------------------


def signature_state(run_id, petition_id):
    """How the run's signatures stand in the table, and the open letter's counters against its rows."""
    rows, queued, sent, confirmed = psql(
        "SELECT count(*), count(*) FILTER (WHERE mail_status = 'queued'), "
        "count(*) FILTER (WHERE mail_status = 'sent'), count(*) FILTER (WHERE confirmed_at IS NOT NULL) "
        "FROM petitions_signature WHERE email LIKE :'run_id' || '-%'",
        run_id=run_id,
    )[0]
    counters, counted = psql(
        "SELECT (SELECT COALESCE(sum(count), 0) FROM petitions_signaturecount WHERE petition_id = :'id'), "
        "(SELECT count(*) FROM petitions_signature WHERE petition_id = :'id' "
        "AND confirmed_at IS NOT NULL AND invalidated_at IS NULL)",
        id=petition_id,
    )[0]
    return {
        "rows": int(rows),
        "queued": int(queued),
        "sent": int(sent),
        "confirmed": int(confirmed),
        "counters": int(counters),
        "counted": int(counted),
    }


def wait_for_mail(run_id, petition_id, timeout):
    """Wait until the worker has no mail of the run left queued; (state, seconds waited)."""
    started = time.monotonic()
    while True:
        state = signature_state(run_id, petition_id)
        if not state["queued"] or time.monotonic() - started > timeout:
            return state, time.monotonic() - started
        time.sleep(0.5)


def confirmation_links(mail_dir, run_id):
    """{recipient: [confirmation link paths]} for the run's mails the SMTP server accepted."""
    links = defaultdict(list)
    for path in sorted((mail_dir / "new").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        recipient = str(message["To"])
        if run_id not in recipient:
            continue
        text = message.get_body(preferencelist=("plain",)).get_content()
        links[recipient] += re.findall(r"(/petitions/confirm/[^/\s]+/)", text)
    return links


def _post_form(body, path):
    """(action, hidden fields) of a POST form on the page that confirms, if it has one."""
    for form in re.finditer(rb"<form\b([^>]*)>(.*?)</form>", body, re.S | re.I):
        attributes, inside = form.groups()
        if not re.search(rb'method="post"', attributes, re.I):
            continue
        action = re.search(rb'action="([^"]*)"', attributes)
        action = action.group(1).decode() if action and action.group(1) else path
        if "/confirm/" in action:
            fields = dict(re.findall(rb'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', inside))
            return action, {name.decode(): value.decode() for name, value in fields.items()}
    return None


async def confirm_by_links(base_url, paths):
    """Follow each confirmation link as its signer would; how many answered with the confirmed page.

    A link that opens a page with a button (confirming on POST, safe from mail scanners) is confirmed
    by pressing it; a link that confirms on GET is confirmed by opening it.
    """
    confirmed = 0
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        for path in paths:
            async with session.get(base_url + path, allow_redirects=False) as response:
                status, headers, body = response.status, response.headers, await response.read()
            form = _post_form(body, path) if status == 200 else None
            if form:
                action, fields = form
                cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
                cookies = {"Cookie": f"csrftoken={cookie[1]}"} if cookie else {}
                async with session.post(base_url + action, data=fields, headers=cookies) as response:
                    status = response.status
            confirmed += status == 200
    return confirmed


async def wait_for_count(base_url, count_path, expected, timeout):
    """Seconds until count.json shows `expected` (it is cached for PETITION_COUNT_CACHE_SECONDS), or None."""
    started = time.monotonic()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        while time.monotonic() - started < timeout:
            async with session.get(base_url + count_path) as response:
                if response.status == 200 and (await response.json())["count"] == expected:
                    return time.monotonic() - started
            await asyncio.sleep(0.5)
    return None


def check_signatures(measured, run_id, petition_id, before, base_url, target, mail_dir, args):
    """What became of the run's signatures, and whether every figure adds up."""
    signs = measured["recorder"].signs
    state, waited = wait_for_mail(run_id, petition_id, timeout=60 + signs["signed"] / 20)
    links = confirmation_links(mail_dir, run_id)
    sample = [paths[0] for _recipient, paths in sorted(links.items())[: args.confirm]]
    confirmed_answers = asyncio.run(confirm_by_links(base_url, sample))
    after = signature_state(run_id, petition_id)
    count_seconds = asyncio.run(wait_for_count(base_url, target["count"], after["counters"], timeout=20))
    mails = sum(len(paths) for paths in links.values())
    checks = {
        "one row per successful sign answer": after["rows"] == signs["signed"],
        "every mail sent by the worker, once": state["queued"] == 0 and mails == after["rows"] == len(links),
        "each confirmation counted once": after["confirmed"] == confirmed_answers == len(sample),
        "counters equal a COUNT of counted rows": after["counters"] == after["counted"],
        "counters grew by the confirmations": after["counters"] - before["counters"] == confirmed_answers,
        "count.json shows the counters": count_seconds is not None,
    }
    facts = {
        **{key: signs[key] for key in ("signed", "refused", "failed", "no answer", "form without tokens")},
        "rows": after["rows"],
        "mails": mails,
        "recipients": len(links),
        "left queued": state["queued"],
        "mail drained in s": waited,
        "links followed": len(sample),
        "confirmed answers": confirmed_answers,
        "confirmed rows": after["confirmed"],
        "counters before": before["counters"],
        "counters after": after["counters"],
        "counted rows": after["counted"],
        "count.json caught up in s": count_seconds,
    }
    return checks, facts


def check_floor_signatures(measured, run_id):
    signs = measured["recorder"].signs
    (rows,) = psql(
        "SELECT count(*) FROM petitions_signature WHERE email LIKE :'run_id' || '-%'", run_id=run_id
    )[0]
    return {"floor: one row per successful sign answer": int(rows) == signs["signed"]}, {
        "floor signed": signs["signed"],
        "floor rows": int(rows),
    }


# A run -----------------------------------------------------------------------------------------------


def prepare(args):
    """Build the database and pages once; the project's and the floor's targets, and what the events need."""
    prepare_database()
    built, _session_key = build_pages()
    facts = petition_facts()
    news_day = shell_result("news_day_facts_in_shell", args.session_connections)
    petition = facts["petition_id"]
    pages = {
        "home page": built["home page"],
        "campaign page": built["campaign page"],
        "open letter": facts["url"],
        "news article": built["news article"],
        "news index": news_day["news_index"],
        "standard page": news_day["standard_page"],
        "data index": "/data/",
        "dataset page": f"/data/{news_day['dataset']}/",
        "signers list": f"/petitions/{petition}/signers/",
        "search": "/search/?q=facebook",
    }
    project = {
        "pages": pages,
        "sign_form": facts["url"],
        "sign": f"/petitions/{petition}/sign/",
        "count": f"/petitions/{petition}/count.json",
        "session": built["campaign page"],
        "sessions": news_day["sessions"],
    }
    floor = {
        "pages": dict.fromkeys(PAGE_WEIGHTS, "/page/"),
        "sign_form": "/sign/",
        "sign": "/sign/",
        "count": "/count.json",
        "session": "/page/",
        "sessions": news_day["sessions"],
    }
    return {"facts": facts, "news_day": news_day, "project": project, "floor": floor}


def reset(petition_id):
    """No signatures of earlier runs, the counters rebuilt from the rows that are left, Redis empty."""
    delete_bench_rows()
    manage(
        "shell",
        "--no-imports",
        "-c",
        f"from petitions.models.counts import recount_signatures; recount_signatures([{petition_id}])",
    )
    flush_redis()


async def precheck(base_url, target, marker):
    """Every path answers, a session visitor too, and the change is not there yet."""
    problems = []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        paths = {**target["pages"], COUNT: target["count"]}
        for kind, path in paths.items():
            for _ in range(2):
                async with session.get(base_url + path, allow_redirects=False) as response:
                    status, body = response.status, await response.read()
            if status != 200:
                problems.append(f"{kind} ({path}): {status}")
            if kind == "campaign page" and marker.encode() in body:
                problems.append(f"the campaign page shows {marker!r} before the event")
        cookie = {"Cookie": f"sessionid={target['sessions'][0]}"}
        async with session.get(base_url + target["session"], headers=cookie) as response:
            # An anonymous session is served the cached page once the session is in the cache.
            if response.status != 200:
                problems.append(f"a visitor with a session got {response.status}")
    if problems:
        raise SystemExit("Before the load: " + "; ".join(problems))


async def shows_change(base_url, path, marker):
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session,
        session.get(base_url + path) as response,
    ):
        return marker.encode() in await response.read()


def run_once(number, args, prepared):
    """One run: the project with its worker and mail server, then the floor; figures and checks."""
    facts, target = prepared["facts"], prepared["project"]
    petition_id = facts["petition_id"]
    run_id = f"bench-news-{int(time.time())}-r{number}"
    reset(petition_id)
    before = signature_state(run_id, petition_id)
    with tempfile.TemporaryDirectory(prefix="bench-news-day-") as folder:
        folder = Path(folder)
        mail_dir = folder / "mail"
        event = {"page": target["pages"]["campaign page"], "dataset": prepared["news_day"]["dataset"]}
        if args.event == "publish":
            event["marker"] = marker = f"{run_id} published"
        else:
            event["import_file"] = folder / "changed-figure.csv"
            marker = write_import_file(prepared["news_day"], event["import_file"], number)
        with ExitStack() as stack:
            smtp_port = free_port()
            # A real SMTP server keeping what it accepts in a maildir.
            smtp = [PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}"]
            smtp += ["-c", "aiosmtpd.handlers.Mailbox", str(mail_dir)]
            stack.enter_context(background(smtp, server_env(), folder / "smtp.log"))
            wait_for_port(smtp_port)
            env = server_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
            # Loaded before the load starts: the event is the publish or import, not a process starting.
            waiting = stack.enter_context(event_process(env, args.event, folder / "event.log", event))
            worker = [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            stack.enter_context(background(worker, env, folder / "worker.log"))
            base_url = stack.enter_context(gunicorn(env, log_path=folder / "gunicorn.log"))
            asyncio.run(precheck(base_url, target, marker))
            project = asyncio.run(drive(base_url, target, args, f"{run_id}-project", waiting, marker))
            checks, signing = check_signatures(
                project, f"{run_id}-project", petition_id, before, base_url, target, mail_dir, args
            )
            checks["the change is on the campaign page"] = asyncio.run(
                shows_change(base_url, target["pages"]["campaign page"], marker)
            )
            logs = {
                name: (folder / f"{name}.log").read_text()[-2000:] for name in ("gunicorn", "worker", "event")
            }
        with gunicorn(floor_env(facts), app=FLOOR_APP) as base_url:
            floor = asyncio.run(drive(base_url, prepared["floor"], args, f"{run_id}-floor"))
        floor_checks, floor_signing = check_floor_signatures(floor, f"{run_id}-floor")
    figures_of_run = {("project", *key): value for key, value in figures(project).items()}
    figures_of_run |= {("floor", *key): value for key, value in figures(floor).items()}
    for kind in KINDS:
        for figure in ("rps", "p99"):
            project_figure = figures_of_run["project", kind, "steady", figure]
            floor_figure = figures_of_run["floor", kind, "steady", figure]
            ratio = project_figure / floor_figure if project_figure is not None and floor_figure else None
            figures_of_run["ratio", kind, "steady", figure] = ratio
    steady_p99 = figures_of_run["project", PAGE_VIEWS, "steady", "p99"]
    event_p99 = figures_of_run["project", PAGE_VIEWS, "event", "p99"]
    figures_of_run["event p99 / steady p99"] = event_p99 / steady_p99 if steady_p99 and event_p99 else None
    return {
        "figures": figures_of_run,
        "event": event_figures(project, args.event),
        "checks": {**checks, **floor_checks},
        "signing": {**signing, **floor_signing},
        "errors": error_lines(project, "project") + error_lines(floor, "floor"),
        "logs": logs,
    }


# The report ------------------------------------------------------------------------------------------


def _number(value, spec=".0f"):
    return "–" if value is None else format(value, spec)


def _share(value):
    return "–" if value is None else f"{value:.0%}"


def _met(met):
    return "met" if met else "MISSED"


def _table(median):
    """The figures by kind and phase, the floor's beside them."""

    def cell(server, kind, phase, figure, spec=".0f"):
        return _number(median.get((server, kind, phase, figure)), spec)

    lines = [
        "| request | steady req/s | p50 ms | p99 ms | event req/s | p50 ms | p99 ms | after req/s | p99 ms "
        "| floor req/s | floor p99 ms | req/s vs floor | p99 vs floor | page cache hits |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for kind in KINDS:
        project = [
            cell("project", kind, phase, figure, spec)
            for phase, figure, spec in (
                ("steady", "rps", ".0f"),
                ("steady", "p50", ".1f"),
                ("steady", "p99", ".1f"),
                ("event", "rps", ".0f"),
                ("event", "p50", ".1f"),
                ("event", "p99", ".1f"),
                ("after", "rps", ".0f"),
                ("after", "p99", ".1f"),
            )
        ]
        floor = [cell("floor", kind, "steady", "rps"), cell("floor", kind, "steady", "p99", ".1f")]
        rate = _share(median.get(("ratio", kind, "steady", "rps"))) if kind not in PAGE_WEIGHTS else ""
        latency = _number(median.get(("ratio", kind, "steady", "p99")), ".1f") + "x"
        hits = [
            (median.get(("project", kind, phase, "hits")), median.get(("project", kind, phase, "stale")))
            for phase in PHASES
        ]
        hits = (
            " / ".join(_share(hit) + (f" (+{_share(stale)} stale)" if stale else "") for hit, stale in hits)
            if any(hit is not None for hit, _stale in hits)
            else ""
        )
        lines.append(
            f"| {kind} | {' | '.join(project)} | {' | '.join(floor)} | {rate} | {latency} | {hits} |"
        )
    return lines


def _event_lines(runs, event_name):
    lines = []
    for number, run in enumerate(runs, start=1):
        event = run["event"]
        if "failed" in event:
            lines.append(
                f"- run {number}: the {event_name} FAILED (exit status {event['failed']}); its log is below"
            )
            continue
        lines.append(
            f"- run {number}: {event_name} done at +{_number(event['done'], '.2f')} s; first view showing "
            "the "
            f"change at +{_number(event['first_fresh'], '.2f')} s; views sent after it was done that still "
            f"showed the old content: {event['stale_after_done']} of {event['watched']}"
        )
    return lines


def _signature_lines(runs):
    lines = []
    for number, run in enumerate(runs, start=1):
        signing, checks = run["signing"], run["checks"]
        lines += [
            f"- run {number}: {signing['signed']} signed (302), {signing['rows']} rows; {signing['refused']} "
            f"refused, {signing['failed']} server errors, {signing['no answer']} without an answer; "
            f"{signing['mails']} mails to {signing['recipients']} recipients, {signing['left queued']} left "
            f"queued {_number(signing['mail drained in s'], '.1f')} s after the load; "
            f"{signing['links followed']} links followed, {signing['confirmed answers']} confirmed pages, "
            f"{signing['confirmed rows']} confirmed rows; counters {signing['counters before']} → "
            f"{signing['counters after']}, COUNT of counted rows {signing['counted rows']}; count.json "
            "caught up "
            f"in {_number(signing['count.json caught up in s'], '.1f')} s; floor {signing['floor signed']} "
            f"signed, {signing['floor rows']} rows",
            "  - " + "; ".join(f"{name}: {_met(met)}" for name, met in checks.items()),
        ]
    return lines


def report(runs, args):
    """The Markdown report, and whether every run's signatures and counts added up."""
    median = median_figures([run["figures"] for run in runs])
    errors = [f"- run {number}, {line}" for number, run in enumerate(runs, start=1) for line in run["errors"]]
    all_exact = all(all(run["checks"].values()) for run in runs)
    page_ratio = median.get("event p99 / steady p99")
    session_ratio = median.get(("ratio", SESSION, "steady", "rps"))
    targets = [
        (
            f"page views' p99 in the {EVENT_WINDOW} s after the event within 2x the steady p99 "
            f"({_number(page_ratio, '.2f')}x)",
            page_ratio is not None and page_ratio <= 2,
        ),
        (f"no request failed ({len(errors)} kinds of error)", not errors),
        (
            "visitors with a session get the campaign page at 30% or more of the floor's rate "
            f"({_share(session_ratio)})",
            session_ratio is not None and session_ratio >= 0.3,
        ),
        ("every signature kept once, every count exact", all_exact),
    ]
    sign_ratio = _share(median.get(("ratio", SIGN, "steady", "rps")))
    sign_p99 = _number(median.get(("project", SIGN, "steady", "p99")), ".1f")
    client = []
    for server in ("project", "floor"):
        cpu = " / ".join(_share(median.get((server, "client", phase, "cpu"))) for phase in PHASES)
        lag = " / ".join(_number(median.get((server, "client", phase, "lag_p99")), ".1f") for phase in PHASES)
        client.append(f"- against the {server}: {cpu} of a core; event-loop lag p99 {lag} ms")
    lines = [
        f"News day, `--event {args.event}`",
        "",
        *machine_description(),
        f"- Load: one asyncio client (aiohttp {aiohttp.__version__}) on the same machine, closed loops: page "
        f"views {args.page_connections} connections, signing {args.sign_connections}, count.json "
        f"{args.count_connections}, visitors with a session {args.session_connections}; warm-up "
        f"{args.warm_up} s (not reported), steady {args.seconds} s, the event and the {EVENT_WINDOW} s after "
        f"it, {args.after} s after that",
        "- Project: gunicorn with config/gunicorn.conf.py defaults, production settings, PostgreSQL, Redis; "
        "the task worker (`manage.py db_worker`) and an SMTP server (aiosmtpd) on the same machine. Floor: "
        "bench/floor_app, same gunicorn settings, same load shape, no event",
        f"- Runs: {len(runs)}" + ("; each figure is the median of the runs" if len(runs) > 1 else ""),
        "",
        *_table(median),
        "",
        "Event (seconds from the cue to the waiting process; views watched: the campaign page, anonymous and "
        "with a session):",
        "",
        *_event_lines(runs, args.event),
        "",
        "Errors (answers other than 2xx/3xx, socket errors): " + ("none" if not errors else ""),
        *([""] + errors if errors else []),
        "",
        "Client (one thread; steady / event / after: near 100% of a core, or a lag near the p50s, means the "
        "client set the pace, not the server):",
        "",
        *client,
        "",
        "Signatures:",
        "",
        *_signature_lines(runs),
        "",
        "Targets:",
        "",
        *(f"- {name}: {_met(met)}" for name, met in targets),
        "- Signing has its own targets in `bench.signing` (70% of the floor, p99 under 200 ms, median of "
        f"three runs); under this mix the sign POST had {sign_ratio} of the floor's rate, p99 {sign_p99} ms",
    ]
    return "\n".join(lines), all_exact


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--event", choices=("publish", "import"), default="publish")
    parser.add_argument("--seconds", type=int, default=30, help="seconds of steady load before the event")
    parser.add_argument(
        "--after", type=int, default=20, help=f"seconds of load after the {EVENT_WINDOW} s of the event"
    )
    parser.add_argument("--warm-up", type=int, default=10, help="seconds of load first, not reported")
    parser.add_argument("--runs", type=int, default=1, help="repeat, and report the median of each figure")
    parser.add_argument("--page-connections", type=int, default=16)
    parser.add_argument("--sign-connections", type=int, default=4)
    parser.add_argument("--count-connections", type=int, default=2)
    parser.add_argument("--session-connections", type=int, default=4)
    parser.add_argument("--confirm", type=int, default=20, help="confirmation links to follow after each run")
    args = parser.parse_args()
    require("psql", "redis-cli")

    prepared = prepare(args)
    runs = [run_once(number, args, prepared) for number in range(1, args.runs + 1)]
    text, all_exact = report(runs, args)
    print(text)
    for number, run in enumerate(runs, start=1):
        if not all(run["checks"].values()) or "failed" in run["event"]:
            for name, log in run["logs"].items():
                print(f"\nRun {number}, the end of the {name} log:\n{log}")
    reset(prepared["facts"]["petition_id"])
    raise SystemExit(0 if all_exact else 1)


if __name__ == "__main__":
    main()
