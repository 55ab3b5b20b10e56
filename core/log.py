"""Structured logging: JSON or text lines on stdout, with the request they belong to and no personal data
or secrets.

`settings.LOGGING` wires these into Django's logging; `config/gunicorn.conf.py` uses `GunicornLogger` so
the server's access and error lines come out in the same shape.
"""

import contextvars
import datetime
import json
import logging
import re

from django.conf import settings
from gunicorn.glogging import Logger as GunicornBaseLogger

from core.secret_paths import mask_secrets

# The request being served by this thread (or task), set by `core.middleware.RequestIdMiddleware`.
current_request = contextvars.ContextVar("current_request", default=None)

REDACTED_EMAIL = "[email]"
REDACTED_POSTCODE = "[postcode]"

# No slash in the local part (where addresses allow one, nobody uses it): in a path, an address
# would otherwise swallow every segment before it.
_EMAIL = re.compile(r"[\w.!#$%&'*+=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# UK postcodes, with or without the space, in any case ("sw1a 1aa", "M11AE", "GIR 0AA"). It errs on the
# side of redacting: a false positive costs a word in a log line, a miss leaks an address.
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)\s*[0-9][A-Z]{2}\b", re.IGNORECASE)

# Attributes a record may carry (through `extra=`) that become fields of their own in JSON output.
STRUCTURED_FIELDS = ("request_id", "method", "path", "status", "duration_ms")


def redact(text):
    """Return `text` with secret URL segments (core.secret_paths), and anything that looks like an
    email address or a UK postcode, masked."""
    return _POSTCODE.sub(REDACTED_POSTCODE, _EMAIL.sub(REDACTED_EMAIL, mask_secrets(text)))


class RequestContextFilter(logging.Filter):
    """Stamp each record with the id and path (never the query string) of the request being served."""

    def filter(self, record):
        context = current_request.get()
        if context:
            for name, value in context.items():
                if not hasattr(record, name):
                    setattr(record, name, value)
        return True


class RedactPersonalDataFilter(logging.Filter):
    """Mask secrets, email addresses and postcodes in every message, traceback and path before it is written.

    Code should never log personal data; this is the safety net for the line that does (an exception
    message quoting a unique-constraint violation, a library logging what it was given).
    """

    def filter(self, record):
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        if isinstance(getattr(record, "path", None), str):
            record.path = redact(record.path)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request fields when known."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in STRUCTURED_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A readable line for a terminal, with the request id when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(request_tag)s%(message)s")

    def format(self, record):
        request_id = getattr(record, "request_id", None)
        record.request_tag = f"[{request_id}] " if request_id else ""
        extras = [
            f"{name}={getattr(record, name)}"
            for name in ("status", "duration_ms")
            if getattr(record, name, None) is not None
        ]
        line = super().format(record)
        return f"{line} {' '.join(extras)}" if extras else line


def make_formatter(log_format):
    """The formatter for `LOG_FORMAT` ("json" or "text")."""
    return TextFormatter() if log_format == "text" else JsonFormatter()


class GunicornLogger(GunicornBaseLogger):
    """Gunicorn's logger, writing access lines as structured records without query strings or client data.

    The access line keeps what operations need (method, path, status, duration, request id) and drops
    what identifies a visitor (IP address, user agent, referrer) or may carry personal data (query string).
    """

    def setup(self, cfg):
        super().setup(cfg)
        formatter = make_formatter(settings.LOG_FORMAT)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
                handler.addFilter(RedactPersonalDataFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status_text = str(resp.status or "").split(None, 1)
        status = int(status_text[0]) if status_text and status_text[0].isdigit() else None
        request_id = next(
            (value for name, value in resp.headers or () if name.lower() == "x-request-id"),
            None,
        )
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
            },
        )
