"""What the benchmark scripts share: the machine's description, a prepared database, servers and wrk.

Every script measures the project and a floor in the same run, so the ratios hold on a busy machine.
Servers run production settings (DEBUG off, PostgreSQL, Redis) on loopback ports of their own.
"""

import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "www_bench")
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")


_NGINX_FRAME = """
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{http}
}}
"""


def nginx_config(folder, http):
    """An nginx configuration for a process of its own, kept in `folder` (pid file, logs and temp paths,
    not daemonised), with `http` (upstreams, servers) in its http block. The proxy tests use it too."""
    return _NGINX_FRAME.format(folder=folder, http=http)


def server_env(**overrides):
    """Environment for a production-like app server on the benchmark database and Redis db."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "DATABASE_URL": f"{POSTGRES_URL}/{BENCH_DATABASE}",
        "CACHE_URL": f"{REDIS_URL}/{BENCH_REDIS_DB}",
        # Plain HTTP on loopback: the TLS-terminating proxy is not part of what is measured.
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PETITION_FORM_MIN_SECONDS": "0",
        "PETITION_SIGN_RATE_LIMIT": "1000000000",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(*args, env=None, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env or server_env(),
        check=True,
        text=True,
        capture_output=capture,
    )


def psql(sql, database=BENCH_DATABASE, **variables):
    """Run SQL on the benchmark database; the rows of the last statement as lists of strings.

    Keyword arguments become psql variables, quoted in the SQL as :'name'.
    """
    options = [f"--set={name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        [
            "psql",
            f"{POSTGRES_URL}/{database}",
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            *options,
        ],
        input=sql,
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def prepare_database():
    """Create and migrate the benchmark database with the demo campaign, and collect static files."""
    exists = psql(
        "SELECT 1 FROM pg_database WHERE datname = :'name'", database="postgres", name=BENCH_DATABASE
    )
    if not exists:
        psql(f'CREATE DATABASE "{BENCH_DATABASE}"', database="postgres")
    manage("migrate", "--noinput", "-v0")
    manage("load_demo", capture=True)
    manage("collectstatic", "--noinput", "-v0")
    flush_redis()


def flush_redis():
    subprocess.run(
        ["redis-cli", "-u", f"{REDIS_URL}/{BENCH_REDIS_DB}", "FLUSHDB"], check=True, capture_output=True
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Nothing listens on port {port} after {timeout} s")


@contextmanager
def background(command, env, log_path=None, **options):
    """A process started in the project folder; yields it, and stops it at the end (SIGTERM, then SIGKILL).

    Its standard error (and output, unless `options` say otherwise) goes to `log_path`, if given: a pipe
    nobody read would fill up under a run's warnings and stall the process.
    """
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    options.setdefault("stdout", log)
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stderr=log, text=True, **options)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log_path:
            log.close()


# The application servers the benchmarks can run (`--server`), the first the default: gunicorn with
# config/gunicorn.conf.py (gthread, 3 workers x 4 threads), gunicorn's sync worker class with as many
# processes as the gthread default has threads in all (12: one request in flight per process), and
# granian (its WSGI interface, 3 workers x 4 blocking threads). Each writes an access line per request,
# as in production, to nowhere.
SERVERS = ("gunicorn-gthread", "gunicorn-sync", "granian")
SERVER_DESCRIPTIONS = {
    "gunicorn-gthread": "gunicorn, config/gunicorn.conf.py defaults (gthread, 3 workers x 4 threads)",
    "gunicorn-sync": "gunicorn, config/gunicorn.conf.py with 12 sync workers",
    "granian": "granian (WSGI), 3 workers x 4 blocking threads",
}


def server_command(server, app, port):
    """The command line that starts `server` with `app` (config.wsgi's by default) on a loopback port."""
    app = app or "config.wsgi:application"
    if server == "granian":
        return [
            str(Path(PYTHON).with_name("granian")), "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "3", "--blocking-threads", "4", "--backpressure", "64",
            "--access-log", "--log-level", "warning", "--no-ws", app,
        ]  # fmt: skip
    command = [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
    if server == "gunicorn-sync":
        command += ["--worker-class", "sync", "--workers", "12"]
    return [*command, app]


@contextmanager
def gunicorn(env, app=None, port=None, log_path=None, server=SERVERS[0]):
    """An app server (gunicorn with config/gunicorn.conf.py unless `server` says otherwise, see SERVERS)
    on a free loopback port; yields its base URL.

    Its error log (the application's warnings and errors) goes to `log_path`, if given.
    """
    port = port or free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    command = server_command(server, app, port)
    # Access lines are written as in production, but not kept.
    with background(command, env, log_path, stdout=subprocess.DEVNULL, start_new_session=True):
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"


_DURATION_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _DURATION_UNITS[unit]


def wrk(url, seconds, connections=16, threads=2, script=None, env=None, headers=()):
    """Run wrk against `url`; requests per second, p50 and p99 in ms, errors, and its raw output.

    `headers` ("Name: value") are sent with every request.
    """
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env)
    output = result.stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"Unexpected wrk output:\n{output}\n{result.stderr}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "command": " ".join([*command, url]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": _milliseconds(percentiles["50"]),
        "p99_ms": _milliseconds(percentiles["99"]),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "output": output,
    }


def percentile(values, fraction):
    """Nearest-rank percentile of `values`, e.g. fraction=0.99 for p99 (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[min(len(ordered), max(rank, 1)) - 1]


def _first_line(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "not installed"
    return (result.stdout or result.stderr).strip().splitlines()[0]


def _granian_version():
    try:
        import granian
    except ImportError:
        return "not installed"
    return granian.__version__


def machine_description():
    """Markdown lines saying when, on what and with which versions a run happened."""
    import django
    import gunicorn as gunicorn_package
    import wagtail

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.*)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1) if found else cpu
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, gunicorn {gunicorn_package.__version__}, "
        f"granian {_granian_version()}",
        f"- {_first_line(['psql', '--version'])}; {_first_line(['redis-server', '--version'])}; "
        f"{_first_line(['wrk', '--version'])}",
    ]


def require(*programs):
    missing = [program for program in programs if shutil.which(program) is None]
    if missing:
        sys.exit(
            f"Missing: {', '.join(missing)}. On Debian: apt-get install wrk postgresql-client redis-tools"
        )


PERFORMANCE_DOC = PROJECT_ROOT / "docs" / "performance.md"


def peak_rss_mb():
    """This process's peak resident memory so far, in MB: its own, not the process that started it.

    Linux keeps `getrusage`'s `ru_maxrss` across `execve`, so a fresh child started by a benchmark
    that holds 150 MB reports at least 150 MB however little it uses itself (the million-recipient
    update run showed the bench's own size as the worker's peak). `VmHWM` in /proc belongs to the
    address space, which `execve` replaces. `ru_maxrss` is the fallback where there is no /proc.
    """
    try:
        with open("/proc/self/status") as status:
            match = re.search(r"^VmHWM:\s+(\d+) kB", status.read(), re.MULTILINE)
    except OSError:
        match = None
    if match:
        return int(match.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django():
    import django

    django.setup()


def write_docs_section(heading, section):
    """Put `section` in docs/performance.md in place of its `## heading` section (or at the end), leaving
    the other sections alone: for the benchmarks that write their own figures (`--write-docs`)."""
    text = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else "# Performance\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    PERFORMANCE_DOC.write_text(text.rstrip("\n") + "\n")


def run_json_child(command, env):
    """Run `python <command>` in a fresh process (its own peak memory) from the project root, and return
    the JSON object its last line of output holds; a failure raises with the end of its stderr."""
    result = subprocess.run(
        [PYTHON, *command], cwd=PROJECT_ROOT, env=env, check=False, text=True, capture_output=True
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_program(database=BENCH_DATABASE):
    """CPU seconds used so far by each program a benchmark drives, from /proc (Linux).

    "app server" (the gunicorn or granian this process started, and their workers), "postgres" (the
    backends connected to `database`, and the server's own background processes: WAL writer,
    checkpointer and the rest), "redis", "load" (this process's finished children: the benchmark's
    wrk, once it has ended). Other jobs' processes, and other databases' backends, are left out;
    Redis is one process for all its databases, so it holds whatever others do with it meanwhile.
    Take it before and after a run (`cpu_used`).
    """
    seconds = dict.fromkeys(("app server", "postgres", "redis", "load"), 0.0)
    children = os.times()
    seconds["load"] = children.children_user + children.children_system
    processes = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat_file:
                stat = stat_file.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline_file:
                cmdline = cmdline_file.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
        processes[int(entry.name)] = (int(fields[1]), _program(name, cmdline, database), used)
    for pid, (_parent, program, used) in processes.items():
        if program == "app server" and not _descends_from(pid, os.getpid(), processes):
            continue  # another job's app server
        if program:
            seconds[program] += used
    return seconds


def _descends_from(pid, ancestor, processes):
    while pid in processes and pid != ancestor:
        pid = processes[pid][0]
    return pid == ancestor


def _program(name, cmdline, database):
    if name.startswith(("gunicorn", "granian")) or "gunicorn" in cmdline or "granian" in cmdline:
        return "app server"
    if name.startswith("redis-server"):
        return "redis"
    if name.startswith("postgres"):
        # "postgres: 15/main: walwriter", or a backend "postgres: 15/main: <user> <database> <client> …"
        words = cmdline.strip().split(": ", 2)[-1].split()
        is_backend = len(words) >= 3 and ("(" in words[2] or words[2] == "[local]")
        if is_backend and words[1] != database:
            return None  # another database's backend
        return "postgres"
    return None


def cpu_used(before, after):
    """CPU seconds per program between two `cpu_by_program()` readings."""
    return {program: max(0.0, after[program] - before[program]) for program in before}
