"""An update's mail for a whole batch of signers: composed once, then filled in for each signer as bytes.

Composing each mail from scratch (two templates, Django's MIME message, its headers folded by the email
package) cost most of a mail's time in a sending batch, while only four things differ between two
signers' copies: the first name, the two links (unsubscribe, signer page) and the headers To, Date,
Message-ID and List-Unsubscribe. `BatchComposer` builds the message once per batch with the real
composition (`compose_update_message`, the templates, Django's MIME) around placeholders, and makes each
signer's copy by putting their values where the placeholders are, escaped for HTML where the template
escapes them, and folding their headers with the email package's own function.

The result is what Django's SMTP backend would put on the wire for that signer, byte for byte (bar the
Date, Message-ID and MIME boundary, which differ between any two messages anyway). The composer checks
that for probe signers before it uses a layout (so a template that treats a name or link in a way the
filling does not is caught at once, and the batch falls back to the real composition), and
tests/petitions/test_update_batch_mail.py compares the two for real signers. A signer whose values the
filling cannot promise to render the same way (an address that is not a plain dot-atom, a name with
control characters, a line that would pass the 998-byte limit) gets None: the caller composes that
mail in full.
"""

import re
import secrets
import threading
from email import policy as email_policy
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.core.mail.utils import DNS_NAME
from django.utils.html import escape

from petitions.updates.mail import compose_update_message
from petitions.updates.unsubscribe import add_unsubscribe_headers

# The policy Django's SMTP backend flattens with: `as_bytes(linesep="\r\n")` clones compat32 so.
_WIRE_POLICY = email_policy.compat32.clone(linesep="\r\n")
# Addresses that Django's `sanitize_address` gives back unchanged: a dot-atom of plain ASCII characters.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")
_PER_SIGNER_HEADERS = ("To", "Date", "Message-ID", "List-Unsubscribe")
# Probe values with characters HTML escaping changes, so a template that escapes a value the filling
# does not (or the other way round) shows at once.
_PROBE_LINKS = ("https://probe.invalid/u/1:a-b_c/?x=1&y='2'", "https://probe.invalid/p/2:d-e/?a=<b>&c=1")
_PROBE_NAMES = {True: "Ann & O'Brien <probe>", False: "Zoë & O'Brien <probe>"}


class _Recipient:
    """What compose_update_message reads of a signature."""

    def __init__(self, email, first_name):
        self.email, self.first_name = email, first_name


def wire_bytes(
    update, email, first_name, unsubscribe, signer_page, *, date=None, message_id=None, boundary=None
):
    """The update mail to one signer by the real composition, as Django's SMTP backend sends it.

    `date`, `message_id` and `boundary` fix what is otherwise made afresh for each message (to compare
    two compositions); they go where Django would put its own.
    """
    message = compose_update_message(update, _Recipient(email, first_name), unsubscribe, signer_page)
    fixed = {}
    if date is not None:
        fixed["Date"] = date
    if message_id is not None:
        fixed["Message-ID"] = message_id
    # Before the unsubscribe headers, so the order of the headers is the one Django gives its own.
    message.extra_headers = {**fixed, **message.extra_headers}
    add_unsubscribe_headers(message, unsubscribe)
    mime = message.message()
    if boundary is not None:
        mime.set_boundary(boundary)
    return mime, mime.as_bytes(linesep="\r\n")


class _Layout:
    """One composed message with placeholders: literal bytes, and the places each signer's values go."""

    def __init__(self, header_pieces, body_pieces, line_room, most_per_line):
        self.header_pieces, self.body_pieces = header_pieces, body_pieces
        self.line_room, self.most_per_line = line_room, most_per_line

    def fill(self, values, date, message_id, encoding):
        """The bytes for one signer; None if a line would pass the limit (then Django would encode the
        part as quoted-printable, which the filling does not do)."""
        escaped = {key: escape(value) for key, value in values.items() if key != "to"}
        longest = max(len(value.encode()) for value in escaped.values())
        if longest * self.most_per_line > self.line_room:
            return None
        headers = {
            "To": values["to"],
            "Date": date,
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{values['unsubscribe']}>",
        }
        out = []
        for piece in self.header_pieces:
            if isinstance(piece, bytes):
                out.append(piece)
            else:
                name, value = forbid_multi_line_headers(piece, headers[piece], encoding)
                out.append(_folded(name, value))
        for piece in self.body_pieces:
            if isinstance(piece, bytes):
                out.append(piece)
            else:
                key, html = piece
                out.append((escaped[key] if html else values[key]).encode())
        return b"".join(out)


class BatchComposer:
    """Update mails for one batch: `message_bytes` for each signer, or None where the mail must be composed
    in full. `from_email` is the envelope sender Django's SMTP backend would use. Safe to share between
    threads."""

    def __init__(self, update):
        self.update = update
        self.encoding = settings.DEFAULT_CHARSET
        self.from_email = sanitize_address(settings.DEFAULT_FROM_EMAIL, self.encoding)
        self._mark = "zq" + secrets.token_hex(8)
        self._boundary = f"==============={secrets.randbelow(10**19):019d}=="
        self._layouts = {}
        # The connections of a batch share one composer, each in a thread of its own: a layout is made
        # once, by the first to need it. Everything else here is read only once built (filling a layout
        # keeps nothing between calls).
        self._layouts_lock = threading.Lock()

    def message_bytes(self, email, first_name, unsubscribe, signer_page):
        if not (
            _PLAIN_ADDRESS.match(email)
            and _plain_link(unsubscribe)
            and _plain_link(signer_page)
            and (first_name.isprintable() if first_name else True)
        ):
            return None
        key = (bool(first_name), first_name.isascii())
        if key not in self._layouts:
            with self._layouts_lock:
                if key not in self._layouts:
                    self._layouts[key] = self._checked_layout(*key)
        layout = self._layouts[key]
        if layout is None:
            return None
        values = {"to": email, "name": first_name, "unsubscribe": unsubscribe, "page": signer_page}
        date = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        return layout.fill(values, date, make_msgid(domain=DNS_NAME), self.encoding)

    def _checked_layout(self, has_name, ascii_name):
        """The layout for signers with (or without) a first name, ASCII or not; None if filling it in
        does not give the real composition's bytes for a probe signer."""
        layout = self._layout(has_name, ascii_name)
        if layout is None:
            return None
        name = _PROBE_NAMES[ascii_name] if has_name else ""
        values = {"to": "probe.signer+1@probe.invalid", "name": name}
        values["unsubscribe"], values["page"] = _PROBE_LINKS
        date, message_id = formatdate(), make_msgid(domain=DNS_NAME)
        _mime, expected = wire_bytes(
            self.update,
            values["to"],
            name,
            *_PROBE_LINKS,
            date=date,
            message_id=message_id,
            boundary=self._boundary,
        )
        return layout if layout.fill(values, date, message_id, self.encoding) == expected else None

    def _layout(self, has_name, ascii_name):
        mark = self._mark
        marks = {
            "name": (mark + "name" if ascii_name else "é" + mark + "name") if has_name else None,
            "unsubscribe": mark + "unsubscribe",
            "page": mark + "page",
        }
        mime, data = wire_bytes(
            self.update,
            f"{mark}@probe.invalid",
            marks["name"] or "",
            marks["unsubscribe"],
            marks["page"],
            date=mark + "date",
            message_id=mark + "id",
            boundary=self._boundary,
        )
        if any(part.get("Content-Transfer-Encoding") not in {"7bit", "8bit"} for part in mime.get_payload()):
            return None  # a part in quoted-printable (a line past the limit): no placeholders to fill
        head_end = data.index(b"\r\n\r\n") + 2
        items = list(mime.raw_items())
        if b"".join(_WIRE_POLICY.fold_binary(name, value) for name, value in items) != data[:head_end]:
            return None  # the headers are not flattened the way the filling folds them
        header_pieces = [
            name if name in _PER_SIGNER_HEADERS else _WIRE_POLICY.fold_binary(name, value)
            for name, value in items
        ]
        if [piece for piece in header_pieces if isinstance(piece, str)] != list(_PER_SIGNER_HEADERS):
            return None
        body = data[head_end:]
        delimiter = b"\r\n--" + self._boundary.encode()
        if body.count(delimiter) != 3:
            return None
        html_starts = body.index(delimiter, body.index(delimiter) + 1)
        by_bytes = {value.encode(): key for key, value in marks.items() if value}
        pattern = re.compile(b"(" + b"|".join(re.escape(found) for found in by_bytes) + b")")
        body_pieces = []
        position = 0
        for found in pattern.finditer(body):
            body_pieces.append(body[position : found.start()])
            body_pieces.append((by_bytes[found.group()], found.start() > html_starts))
            position = found.end()
        body_pieces.append(body[position:])
        if mark.encode() in b"".join(piece for piece in body_pieces if isinstance(piece, bytes)):
            return None  # a placeholder changed on the way (escaped, cut): it cannot be filled
        lines = [line for line in body.split(b"\r\n") if pattern.search(line)]
        line_room = RFC5322_EMAIL_LINE_LENGTH_LIMIT - max(len(pattern.sub(b"", line)) for line in lines)
        most_per_line = max(len(pattern.findall(line)) for line in lines)
        return _Layout(_merged(header_pieces), _merged(body_pieces), line_room, most_per_line)


def _folded(name, value):
    """The header as the email package folds it; a short one of plain ASCII without two spaces in a row
    (every Date, Message-ID and plain To) is one line as it is, without asking the folding."""
    line = f"{name}: {value}"
    if (
        len(line) <= _WIRE_POLICY.max_line_length
        and line.isascii()
        and line.isprintable()
        and "  " not in line
    ):
        return line.encode() + b"\r\n"
    return _WIRE_POLICY.fold_binary(name, value)


def _plain_link(url):
    return url.isascii() and url.isprintable() and " " not in url


def _merged(pieces):
    """Adjacent literal pieces joined into one."""
    merged = []
    for piece in pieces:
        if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged
