"""Real services the fault tests start and always stop: gunicorn, the worker, an SMTP server, a TCP proxy,
nginx reverse proxies.

Each runs against the test database pytest-django created, with production settings (DEBUG off), so
what a visitor or the mail server sees is what production would show.

Past ~400 lines because each service is a small start/stop pair sharing the port, log and
clean-up helpers here; split apart they would each need those helpers again.
"""

import asyncio
import email
import email.policy
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from aiosmtpd.controller import Controller
from django.db import connection
from django.urls import reverse

from bench.common import nginx_config
from petitions.sign_form.token import make_form_token

ROOT = Path(__file__).resolve().parents[2]

# The servers and the test process sign form and confirmation tokens with the same key.
SERVICE_SECRET_KEY = secrets.token_urlsafe(50)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout, what, process=None):
    """Poll `condition` until it is true; fail after `timeout` seconds, or at once if `process` died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"Gave up waiting for {what}: the process exited ({process.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what} after {timeout} s")
        time.sleep(0.05)


def database_url(port=None):
    """The test database's URL (pytest-django's test_<name>), optionally through another port."""
    db = connection.settings_dict
    credentials = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    login = f"{credentials}@" if credentials else ""
    return f"postgres://{login}{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def service_env(**overrides):
    """The environment of a server or worker: production settings, the test database, no page cache.

    The form timing and rate limits are relaxed because the tests sign many times a second from one address.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": SERVICE_SECRET_KEY,
        "DATABASE_URL": database_url(),
        "CACHE_URL": "locmemcache://faults",
        "EMAIL_URL": "consolemail://",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "PAGE_CACHE_SECONDS": "0",
        "PETITION_FORM_MIN_SECONDS": "0",
        "PETITION_SIGN_RATE_LIMIT": "1000000",
        "PETITION_COUNT_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.update(overrides)
    return env


def stop_process(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def gunicorn(env, log_path):
    """The site under gunicorn (config/gunicorn.conf.py, 2 processes × 4 threads) on a free port."""
    port = free_port()
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_GRACEFUL_TIMEOUT": "3",
    }
    base_url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{base_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(answers, timeout=30, what="gunicorn to answer", process=process)
            yield base_url
        finally:
            stop_process(process)


def manage(*args, env, timeout=60):
    """Run a management command to the end in its own process; its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def run_worker_batch(env):
    """The real task worker, until the queue is empty."""
    manage("db_worker", "--batch", "--no-reload", "--no-startup-delay", env=env)


@contextmanager
def worker(env, log_path):
    """A long-running task worker, as in production; killed at the end if the test has not."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval=0.1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@contextmanager
def mail_through(sink, settings):
    """Django's SMTP backend pointed at `sink` (started here, stopped after), in plain SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


class SmtpSink:
    """A real SMTP server on a loopback port that keeps every message it accepts, in memory.

    `hold()` stalls each conversation before its recipient is accepted (so before DATA: nothing has been
    handed over yet), which catches a sender in the middle of sending; `release()` lets them go on.
    """

    def __init__(self, port):
        self.port = port
        self.messages = []
        self.sender_held = threading.Event()
        self._holding = False
        self._lock = threading.Lock()
        self._controller = None

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")
        self._controller.start()

    def stop(self):
        self._holding = False
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self):
        self._holding = True

    def release(self):
        self._holding = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        while self._holding:
            self.sender_held.set()
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self):
        """Every recipient of every accepted message, one entry per delivery."""
        with self._lock:
            return sorted(address for rcpt_tos, _message in self.messages for address in rcpt_tos)


class TcpProxy:
    """A loopback TCP proxy that can cut the line: a database restart or network cut, as the app sees it.

    `cut()` closes every connection through it and refuses new ones; `restore()` listens again on the
    same port. The shared PostgreSQL server behind it is never touched.
    """

    def __init__(self, upstream_port, upstream_host="127.0.0.1"):
        self.port = free_port()
        self.upstream = (upstream_host, upstream_port)
        self._listener = None
        self._open_sockets = set()
        self._threads = []
        self._lock = threading.Lock()

    def start(self):
        listener = socket.create_server(("127.0.0.1", self.port))
        # accept() wakes up now and then to notice that the proxy was cut.
        listener.settimeout(0.1)
        self._listener = listener
        self._spawn(self._accept, listener)

    def restore(self):
        self.start()

    def cut(self):
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            open_sockets, self._open_sockets = self._open_sockets, set()
        for sock in open_sockets:
            self._close(sock)

    def stop(self):
        self.cut()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._open_sockets.update((client, upstream))
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open_sockets.difference_update((source, target))
            self._close(source)
            self._close(target)

    @staticmethod
    def _close(sock):
        # shutdown() wakes a thread blocked in recv() on the socket; close() alone may not.
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


# One reverse proxy, as docs/deployment.md configures it: it appends the address it received the
# request from to X-Forwarded-For (keeping what came before, which may be the client's own).
NGINX_PROXY = """
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}"""


@contextmanager
def nginx_proxies(upstream_url, count, folder):
    """`count` nginx reverse proxies chained in front of `upstream_url` (one nginx process); the base URL
    of the outermost, the one visitors reach. Skips locally without Debian's nginx; fails in CI."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if binary is None:
        message = "Debian's nginx is not installed (apt-get install nginx; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    upstream = int(upstream_url.rsplit(":", 1)[1])
    servers = []
    for _ in range(count):
        port = free_port()
        servers.append(NGINX_PROXY.format(port=port, upstream=upstream))
        upstream = port
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, "".join(servers)))

    def listening():
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", upstream)) == 0

    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(listening, timeout=15, what="nginx to listen", process=process)
        yield f"http://127.0.0.1:{upstream}"
    finally:
        stop_process(process)


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connections made from a loopback address of one's choosing (127.0.0.2, ...): another client, as
    a proxy sees it."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def from_address(session, address):
    """`session` (a requests.Session), connecting from `address` from now on."""
    session.mount("http://", SourceAddressAdapter(address))
    return session


_HIDDEN_INPUT = r'<input type="hidden" name="{}" value="([^"]+)"'


def signing_paths(petition):
    """The petition page's path and its form's target. Read here, in the test's thread: a load thread
    that touched the database would leave a connection open to the test database."""
    return petition.get_url_parts()[2], reverse("petitions:sign", args=[petition.pk])


class Signer:
    """A visitor's browser as far as signing goes: its own CSRF cookie and the form's hidden tokens."""

    def __init__(self, base_url, petition_paths):
        self.base_url = base_url
        self.page_path, self.sign_path = petition_paths
        self.session = requests.Session()
        self.tokens = {}
        self.cookie = ""

    def open_form(self):
        response = self.session.get(self.base_url + self.page_path, timeout=30)
        assert response.status_code == 200, response.status_code
        # The cookie is Secure (production settings) and the test server speaks plain HTTP, so it is
        # sent back by hand, as a browser would over HTTPS.
        self.cookie = f"csrftoken={response.cookies['csrftoken']}"
        self.tokens = {
            name: re.search(_HIDDEN_INPUT.format(name), response.text)[1]
            for name in ("csrfmiddlewaretoken", "form_token")
        }
        return self

    def sign(self, email_address):
        data = {
            "first_name": "Jane",
            "last_name": "Doughty",
            "email": email_address,
            "postcode": "SW1A 1AA",
            "contact_consent": "on",
            **self.tokens,
        }
        # A form token signs once. A person signing again would open the form again; the next token is
        # made here instead (with the servers' key), sparing them a page render per signature.
        self.tokens["form_token"] = make_form_token()
        return self.session.post(
            self.base_url + self.sign_path,
            data=data,
            headers={"Cookie": self.cookie},
            allow_redirects=False,
            timeout=30,
        )
