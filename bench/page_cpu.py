"""One cached page view's CPU in one process, the project's pages against the floor's: where the time goes.

    .venv/bin/python -m bench.page_cpu [--views 2000] [--profile 30]

The page-view benchmark (bench.page_views) measures rates through gunicorn and wrk, which move with
whatever else the machine runs. This counts the app server's own CPU time (`time.process_time`) for a
cached view of each page type, called as gunicorn calls the WSGI application, with production settings,
Redis and PostgreSQL, and a visitor without cookies (as wrk is: every view gets a fresh CSRF cookie);
and the campaign page for a visitor with an anonymous session (bench.page_views's session row, its
`sessionid` cookie on every view, nothing else). The floor is the floor app's `/page/` in the same
way. `--profile N` prints, for the campaign page, the N functions with the most time of their own
under cProfile (a second pass, for ranking only); with `--profile-session`, for the visitor with a
session instead.

Needs what bench.page_views needs (the `www_bench` database and Redis db, prepared here).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time

from bench.common import PYTHON, prepare_database, server_env
from bench.page_views import build_pages
from bench.signing_cpu import _Visitor

WARM_UP = 200
SESSION_ROW = "campaign page, visitor with a session"


def measure_in_this_process(path, views, profile, session_key=""):
    """Runs in the server's own process (its settings in the environment); prints a JSON line."""
    from importlib import import_module

    # The application gunicorn runs: config.wsgi's (cached pages answered first), or the floor app's.
    floor = os.environ["DJANGO_SETTINGS_MODULE"] == "bench.floor_app.settings"
    visitor = _Visitor(import_module("bench.floor_app.wsgi" if floor else "config.wsgi").application)
    cookies = {"sessionid": session_key} if session_key else {}

    def view_many(count):
        for _ in range(count):
            visitor.cookies = dict(cookies)
            status, _ = visitor.request("GET", path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")

    view_many(WARM_UP)
    visitor.cpu["GET"] = 0.0
    view_many(views)
    cpu_ms = visitor.cpu["GET"] / views * 1000
    top = ""
    if profile:
        visitor.profilers = {"GET": cProfile.Profile(time.process_time)}
        view_many(min(views, 1000))
        stream = io.StringIO()
        for sort in ("tottime", "cumulative"):
            pstats.Stats(visitor.profilers["GET"], stream=stream).sort_stats(sort).print_stats(profile)
        top = stream.getvalue()
    # The profiled pass is not counted: the profiler slows everything down.
    print(json.dumps({"cpu_ms": cpu_ms, "profile": top}))


def measure(env, path, args, profile=0, session_key=""):
    command = [
        PYTHON, "-m", "bench.page_cpu", "--in-process", path,
        "--views", str(args.views), "--profile", str(profile), "--session-key", session_key,
    ]  # fmt: skip
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="print the N functions with most own time")
    parser.add_argument(
        "--profile-session", action="store_true", help="profile the visitor with a session instead"
    )
    parser.add_argument("--in-process", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--session-key", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        measure_in_this_process(args.in_process, args.views, args.profile, args.session_key)
        return

    prepare_database()
    pages, session_key = build_pages()
    profiled = SESSION_ROW if args.profile_session else "campaign page"
    results = {
        name: measure(server_env(), path, args, args.profile if name == profiled else 0)
        for name, path in pages.items()
    }
    session_profile = args.profile if profiled == SESSION_ROW else 0
    results[SESSION_ROW] = measure(server_env(), pages["campaign page"], args, session_profile, session_key)
    floor = measure(server_env(DJANGO_SETTINGS_MODULE="bench.floor_app.settings"), "/page/", args)
    if results[profiled]["profile"]:
        print(results[profiled]["profile"])
    print(f"CPU per cached page view in one process, ms (the mean of {args.views}):")
    print("| page | CPU ms | floor's CPU as a share |\n| --- | ---: | ---: |")
    for name, result in results.items():
        print(f"| {name} | {result['cpu_ms']:.3f} | {floor['cpu_ms'] / result['cpu_ms']:.0%} |")
    print(f"| floor: bare Django view, small template | {floor['cpu_ms']:.3f} | 100% |")


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
