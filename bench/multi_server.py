"""Two app servers behind nginx, sharing PostgreSQL and Redis, with the task worker on its own.

    .venv/bin/python -m bench.multi_server

Needs PostgreSQL at 127.0.0.1:5432 (trust), Redis at 127.0.0.1:6379 and Debian's `nginx`. It starts
two gunicorn instances (config/gunicorn.conf.py, production settings) on two loopback ports, and
nginx in front of them, round robin, from a configuration written into a temporary folder (its own
pid file, logs and temp paths, not daemonised). nginx tells Django the request came over HTTPS, as a
TLS-terminating load balancer would. A scripted client with a cookie jar, talking only to nginx,
then checks that:

1. a sign-in to the admin made through one app server holds on the other (sessions in PostgreSQL);
2. a CSRF token from a form served by one app server is accepted by the other (the sign form);
3. the sign-form rate limit counts the attempts made on both servers (Redis);
4. publishing a change in a separate process purges the page cache seen by both servers;
5. the confirmation mail is sent by the task worker (`manage.py db_worker`, a process of its own),
   not by either app server.

Each check prints PASS or FAIL; the exit status is 1 if any failed.
"""

import http.cookiejar
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

from bench.common import (
    PROJECT_ROOT,
    PYTHON,
    flush_redis,
    free_port,
    gunicorn,
    manage,
    nginx_config,
    prepare_database,
    psql,
    require,
    server_env,
    wait_for_port,
)

RATE_LIMIT = 4
# The servers run with DEBUG off, so the demo's admin has a random password: the bench signs in as an
# account of its own, with a password made for the run and passed in the environment, not the command line.
BENCH_ADMIN = "bench-admin"
SET_BENCH_ADMIN = (
    "import os; from django.contrib.auth import get_user_model; "
    f"user, _ = get_user_model().objects.get_or_create(username='{BENCH_ADMIN}'); "
    "user.is_staff = user.is_superuser = True; "
    "user.set_password(os.environ['BENCH_ADMIN_PASSWORD']); user.save()"
)
NGINX_SITE = """
    upstream app_servers {{
        server 127.0.0.1:{port_a};
        server 127.0.0.1:{port_b};
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;
        location / {{
            proxy_pass http://app_servers;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            add_header X-Upstream $upstream_addr always;
        }}
    }}"""

# Published in a process of its own, as an editor's request on a third server would be.
PUBLISH_CHANGE = """
import os
from campaign.models import StandardPage
page = StandardPage.objects.get(slug="about")
page.title = os.environ["BENCH_NEW_TITLE"]
page.save_revision().publish()
"""


class ProxiedHttpsCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send `Secure` cookies over the plain-HTTP hop to nginx, which stands for the HTTPS front."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A visitor's browser: a cookie jar, Origin and Referer on form posts, redirects not followed."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.origin = "https://" + base_url.split("://", 1)[1]
        self.jar = http.cookiejar.CookieJar(ProxiedHttpsCookiePolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirects)

    def request(self, path, data=None):
        headers = {"Origin": self.origin, "Referer": self.origin + path} if data is not None else {}
        body = urlencode(data).encode() if data is not None else None
        # Only ever our own loopback nginx.
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, dict(response.headers), response.read().decode()

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, data)


def hidden_field(page, name):
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


class Checks:
    def __init__(self):
        self.failures = 0

    def check(self, name, passed, detail=""):
        print(f"{'PASS' if passed else 'FAIL'}: {name}" + (f" ({detail})" if detail else ""), flush=True)
        self.failures += not passed


def check_sessions(checks, browser, password):
    _status, headers, page = browser.get("/admin/login/")
    login_server = headers["X-Upstream"]
    status, headers, _ = browser.post(
        "/admin/login/",
        {
            "username": BENCH_ADMIN,
            "password": password,
            "csrfmiddlewaretoken": hidden_field(page, "csrfmiddlewaretoken"),
            "next": "/admin/",
        },
    )
    checks.check(
        "admin sign-in: form from one server, posted to the other",
        status == 302 and headers["X-Upstream"] != login_server,
        f"{login_server} then {headers['X-Upstream']}: {status}",
    )
    answers = [browser.get("/admin/")[:2] for _ in range(2)]
    servers = {headers["X-Upstream"] for _status, headers in answers}
    checks.check(
        "the admin session holds on both servers",
        len(servers) == 2 and all(status == 200 for status, _headers in answers),
        f"{[(headers['X-Upstream'], status) for status, headers in answers]}",
    )


def check_csrf_and_rate_limit(checks, base_url, petition_url, sign_path, run_id):
    visitor = Browser(base_url)
    emails = [f"{run_id}-{n}@example.org" for n in range(RATE_LIMIT + 2)]
    # A form token signs once, so the visitor opens the form for each signature. The forms come first,
    # so that the posts still go to each server in turn (round robin), the first of them to the other
    # server than the form whose tokens it carries.
    forms = [visitor.get(petition_url) for _ in emails][::-1]
    answers = []
    for email, (_status, _headers, page) in zip(emails, forms, strict=True):
        fields = {
            "csrfmiddlewaretoken": hidden_field(page, "csrfmiddlewaretoken"),
            "form_token": hidden_field(page, "form_token"),
            "first_name": "Multi",
            "last_name": "Server",
            "postcode": "SW1A 1AA",
            "email": email,
        }
        status, headers, _ = visitor.post(sign_path, fields)
        answers.append((headers["X-Upstream"], status))
    form_server = forms[0][1]["X-Upstream"]
    post_server, status = answers[0]
    checks.check(
        "a CSRF token from one server is accepted by the other",
        form_server != post_server and status == 302,
        f"form from {form_server}, posted to {post_server}: {status}",
    )
    statuses = [status for _server, status in answers]
    accepted_on = {server for server, status in answers if status == 302}
    checks.check(
        f"the rate limit ({RATE_LIMIT} attempts) counts across both servers",
        statuses == [302] * RATE_LIMIT + [429] * 2 and len(accepted_on) == 2,
        f"answers {statuses}, accepted on {sorted(accepted_on)}",
    )
    return emails[:RATE_LIMIT]


def check_cache_purge(checks, base_url, env, run_id):
    visitor = Browser(base_url)

    def views_of_about():
        # Fresh visitors without cookies get cached pages; two in a row reach both servers.
        return [Browser(base_url).get("/about/") for _ in range(2)]

    visitor.get("/about/")
    before = views_of_about()
    hits = {headers["X-Upstream"] for _status, headers, _ in before if headers.get("X-Page-Cache") == "HIT"}
    checks.check(
        "both servers serve /about/ from the shared page cache", len(hits) == 2, f"hits on {sorted(hits)}"
    )
    new_title = f"About the campaign {run_id}"
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", PUBLISH_CHANGE],
        cwd=PROJECT_ROOT,
        env={**env, "BENCH_NEW_TITLE": new_title},
        check=True,
        capture_output=True,
    )
    after = views_of_about()
    fresh = {headers["X-Upstream"] for _status, headers, page in after if new_title in page}
    checks.check(
        "a change published elsewhere is shown at once by both servers",
        len(fresh) == 2,
        f"new title served by {sorted(fresh)}",
    )


def check_worker_sends_mail(checks, env, mail_dir, signed_emails):
    sent_before = list(mail_dir.iterdir())
    checks.check("no app server sent the confirmation mail", not sent_before, f"{len(sent_before)} files")
    subprocess.run(
        [PYTHON, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    mail = "".join(path.read_text(errors="replace") for path in mail_dir.iterdir())
    delivered = [email for email in signed_emails if mail.count(f"To: {email}") == 1]
    checks.check(
        "the worker, on its own, sent one confirmation to each signer",
        delivered == signed_emails,
        f"{len(delivered)} of {len(signed_emails)}",
    )


def main():
    require("nginx", "psql", "redis-cli")
    prepare_database()
    admin_password = secrets.token_urlsafe(18)
    manage("shell", "-c", SET_BENCH_ADMIN, env=server_env(BENCH_ADMIN_PASSWORD=admin_password))
    flush_redis()
    psql("DELETE FROM django_tasks_database_dbtaskresult; DELETE FROM axes_accessattempt;")
    run_id = f"bench-multi-{int(time.time())}"
    checks = Checks()

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-nginx-")))
        mail_dir = tmp / "mail"
        mail_dir.mkdir()
        env = server_env(
            PAGE_CACHE_SECONDS=300,
            PETITION_SIGN_RATE_LIMIT=RATE_LIMIT,
            # django-environ reads the path after the third slash: four make it absolute.
            EMAIL_URL=f"filemail:///{mail_dir}",
            ALLOWED_HOSTS="127.0.0.1,localhost",
        )
        port_a, port_b, port = free_port(), free_port(), free_port()
        stack.enter_context(gunicorn(env, port=port_a))
        stack.enter_context(gunicorn(env, port=port_b))
        conf = tmp / "nginx.conf"
        conf.write_text(nginx_config(tmp, NGINX_SITE.format(port_a=port_a, port_b=port_b, port=port)))
        nginx = subprocess.Popen(["nginx", "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")])
        stack.callback(nginx.wait, timeout=30)
        stack.callback(nginx.terminate)
        wait_for_port(port)
        base_url = f"http://127.0.0.1:{port}"

        petition_id, petition_url = manage(
            "shell",
            "-c",
            "from petitions.models import PetitionPage; "
            "p = PetitionPage.objects.live().exclude(slug__startswith='bench-').order_by('pk').first(); "
            "print(p.pk, p.url)",
            env=env,
            capture=True,
        ).stdout.split()[-2:]

        check_sessions(checks, Browser(base_url), admin_password)
        signed = check_csrf_and_rate_limit(
            checks, base_url, petition_url, f"/petitions/{petition_id}/sign/", run_id
        )
        check_cache_purge(checks, base_url, env, run_id)
        check_worker_sends_mail(checks, env, mail_dir, signed)

    psql("DELETE FROM petitions_signature WHERE email LIKE 'bench-multi-%'")
    print(f"{checks.failures} check(s) failed" if checks.failures else "All checks passed")
    sys.exit(1 if checks.failures else 0)


if __name__ == "__main__":
    main()
