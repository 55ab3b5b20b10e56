"""Gunicorn settings for production, from the environment: `gunicorn -c config/gunicorn.conf.py`.

Defaults suit a 2-core app server behind a reverse proxy on the same host; docs/deployment.md says
what to change on bigger ones and behind a load balancer.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

wsgi_app = "config.wsgi:application"

# Loopback by default: only the local reverse proxy talks to gunicorn. Behind a load balancer on
# another host, bind the private interface (e.g. GUNICORN_BIND=10.0.0.5:8000).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Processes use the cores (cores + 1 keeps both busy while one waits); threads let each process
# overlap its database and cache round trips.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Measured against gunicorn's sync worker and granian (docs/deployment.md, "Which app server"): sync was
# slowest; granian faster, but its access log would write confirmation tokens (core.log masks them here).
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle connection from the proxy is kept open for reuse.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all at once.
# Rarely: a new worker spends a second or two of CPU loading Django and Wagtail, and at a few
# hundred requests a second a limit of 2,000 recycled a worker every few seconds (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))

# Addresses of the proxies whose X-Forwarded-* headers gunicorn trusts. Django trusts
# X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER, so gunicorn must be reachable only by the proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access lines on stdout through core.log: method, path without the query string, status, duration
# and request id, as JSON (or text) like the application's own logs. GUNICORN_ACCESS_LOG= (empty)
# turns them off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logger_class = "core.log.GunicornLogger"
