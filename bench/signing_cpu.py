"""One signature's CPU in one process, the project's against the floor's: where the time goes.

    .venv/bin/python -m bench.signing_cpu [--signatures 2000] [--profile 30]

Needs what bench.signing needs (it prepares the same `www_bench` database and Redis db). Each server
runs in a process of its own (Django's settings are per process), with production settings, through
Django's test client with CSRF checks enforced: every signature is what sign.lua does, a GET of the
page with the sign form (a fresh CSRF cookie and timing token) and a POST of it with a new email.
It counts the process's CPU time (`time.process_time`) over `--signatures` signatures after 100 not
counted, and with `--profile N` prints the N functions with the most time of their own under cProfile
(a second pass: the profiler slows everything down, so its times are for ranking only).

No network between client and server, no gunicorn: what is left is the Python a signature runs in
the app server, the figure bench.signing's ratio follows when Python's CPU is the limit.
"""

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import re
import subprocess
import sys
import time
from urllib.parse import urlencode

from bench.common import PYTHON, prepare_database, server_env
from bench.signing import FLOOR_APP, delete_bench_rows, floor_env, petition_facts

WARM_UP = 100


class _Visitor:
    """Calls the WSGI application as gunicorn does, with one visitor's cookies; counts CPU per method."""

    def __init__(self, application):
        self.application = application
        self.cookies = {}
        self.cpu = {"GET": 0.0, "POST": 0.0}
        # cProfile.Profile for each method, when profiling.
        self.profilers = {}

    def request(self, method, path, body=b""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_USER_AGENT": "bench.signing_cpu",
            "HTTP_ACCEPT": "text/html",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = headers

        profiler = self.profilers.get(method)
        started = time.process_time()
        if profiler:
            profiler.enable()
        chunks = self.application(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
            if profiler:
                profiler.disable()
        self.cpu[method] += time.process_time() - started
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        return answer["status"], content.decode()

    def sign(self, form_path, sign_path, email):
        """What sign.lua does for one signature: a visitor without cookies opens the form and posts it."""
        self.cookies = {}
        status, page = self.request("GET", form_path)
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', page))
        if status != 200 or len(fields) != 2:
            raise SystemExit(f"{form_path} answered {status} without a sign form")
        form = {
            **fields,
            "first_name": "Load",
            "last_name": "Test",
            "postcode": "SW1A 1AA",
            "contact_consent": "on",
            "email": email,
        }
        status, _ = self.request("POST", sign_path, urlencode(form).encode())
        if status != 302:
            raise SystemExit(f"{sign_path} answered {status}, not 302")


def measure_in_this_process(form_path, sign_path, signatures, profile, app):
    """Runs in the server's own process (its settings in the environment); prints a JSON line.

    `app` is the WSGI application the benchmark's gunicorn serves ("module:attribute"), so that what
    the app server runs before Django's handler (config.wsgi's page cache) is counted too.
    """
    module, attribute = app.split(":")
    visitor = _Visitor(getattr(importlib.import_module(module), attribute))
    run = int(time.time())

    def sign_many(count, prefix):
        for n in range(count):
            visitor.sign(form_path, sign_path, f"bench-cpu-{prefix}-{n}@example.org")

    sign_many(WARM_UP, f"{run}-warm")
    visitor.cpu = {"GET": 0.0, "POST": 0.0}
    sign_many(signatures, f"{run}-timed")
    cpu_ms = {method: seconds / signatures * 1000 for method, seconds in visitor.cpu.items()}
    top = ""
    if profile:
        # CPU time, not wall time: waiting for PostgreSQL and Redis is not the app server's work.
        visitor.profilers = {method: cProfile.Profile(time.process_time) for method in visitor.cpu}
        sign_many(min(signatures, 1000), f"{run}-profiled")
        stream = io.StringIO()
        for method, profiler in visitor.profilers.items():
            stream.write(f"-- {method}\n")
            for sort in ("tottime", "cumulative"):
                pstats.Stats(profiler, stream=stream).sort_stats(sort).print_stats(profile)
        top = stream.getvalue()
    print(json.dumps({"cpu_ms": cpu_ms, "profile": top}))


def measure(env, form_path, sign_path, args, app):
    command = [
        PYTHON, "-m", "bench.signing_cpu", "--in-process", form_path, sign_path, app,
        "--signatures", str(args.signatures), "--profile", str(args.profile),
    ]  # fmt: skip
    output = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signatures", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="print the N functions with most own time")
    parser.add_argument(
        "--in-process", nargs=3, metavar=("FORM_PATH", "SIGN_PATH", "APP"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.in_process:
        form_path, sign_path, app = args.in_process
        measure_in_this_process(form_path, sign_path, args.signatures, args.profile, app)
        return

    prepare_database()
    facts = petition_facts()
    delete_bench_rows()
    sign_path = f"/petitions/{facts['petition_id']}/sign/"
    project = measure(server_env(), facts["url"], sign_path, args, "config.wsgi:application")
    floor = measure(floor_env(facts), "/sign/", "/sign/", args, FLOOR_APP)
    delete_bench_rows()
    for name, result in (("project", project), ("floor", floor)):
        if result["profile"]:
            print(f"== {name}\n{result['profile']}")
    print(f"CPU per signature in one process, ms (the mean of {args.signatures}):")
    print("| server | GET of the form | POST | both |\n| --- | ---: | ---: | ---: |")
    for name, result in (("project", project), ("floor", floor)):
        get, post = result["cpu_ms"]["GET"], result["cpu_ms"]["POST"]
        print(f"| {name} | {get:.2f} | {post:.2f} | {get + post:.2f} |")
    both = {name: sum(result["cpu_ms"].values()) for name, result in (("project", project), ("floor", floor))}
    print(f"Floor's CPU as a share of the project's: {both['floor'] / both['project']:.0%}")


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
