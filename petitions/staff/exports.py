"""Signatories written out as CSV or XLSX, for the admin listing and `manage.py export_signatories`.

Two profiles: "full" (everything staff need to contact or answer a signatory) and "addressee" (what the
letter's addressee may receive: the first name and area of each confirmed, valid signer who agreed to be
shown publicly, as the delivery pack names them; the privacy notice promises signers' details are not
shared with the addressee otherwise, and "show my first name and area" is the one consent that covers
it). Memory stays flat
however many rows there are: on PostgreSQL the CSV is PostgreSQL's own COPY output of the export's
query, streamed in blocks; elsewhere, and for XLSX, rows are read with `values_list(...).iterator()`
and written as they come (XLSX by openpyxl's write-only mode into a temporary file). Every cell that
holds typed text is neutralised against spreadsheet formulas (`core.spreadsheets`), in SQL or in
Python from the same list of triggers. Each export is recorded in Wagtail's audit log, one entry per
petition it contains, without any personal data.
"""

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, F, Func, Value, When
from django.db.models.functions import Concat, Left, Trim
from django.db.models.lookups import Exact, In
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.log_actions import log

from core.spreadsheets import FORMULA_TRIGGERS, neutralise_formula
from petitions.models import ConsentWording, PetitionPage, Signature
from petitions.regions import Region

EXPORT_ACTION = "petitions.export_signatures"

# Excel opens at most 1,048,576 rows, one of them the header. openpyxl's write-only mode keeps memory
# flat at any size, so this is Excel's limit, not ours; `manage.py export_signatories` goes up to it.
XLSX_ROW_LIMIT = 1_048_575
# openpyxl writes about 3,000 to 7,000 rows a second (bench/export_signatures.py), and the download
# starts only once the workbook is complete: the admin stops here so that it answers within a minute,
# inside common proxy time-outs. CSV streams, so it has no such limit.
ADMIN_XLSX_ROW_LIMIT = 100_000

# Rows fetched per round trip from the database cursor, and rows per chunk of the CSV stream.
CHUNK_ROWS = 2000
# Bytes of PostgreSQL's COPY output gathered before they are sent on.
COPY_BLOCK_BYTES = 64 * 1024

FORMATS = ("csv", "xlsx")


class ExportTooLarge(Exception):
    """More rows than this XLSX export may hold."""

    def __init__(self, rows, limit):
        self.rows = rows
        super().__init__(
            f"These filters select {rows:,} signatures; a spreadsheet (XLSX) download holds at most "
            f"{limit:,} here. Download CSV instead, or narrow the filters."
        )


# Columns the database works out, so Python only neutralises and writes the values.
FULL_NAME = Trim(Concat(F("first_name"), Value(" "), F("last_name"), output_field=CharField()))
CONTACT_CONSENT = Case(When(contact_consent=True, then=Value("yes")), default=Value("no"))
STATUS = Case(
    When(invalidated_at__isnull=False, then=Value(Signature.Status.INVALIDATED.label)),
    When(confirmed_at__isnull=False, then=Value(Signature.Status.CONFIRMED.label)),
    default=Value(Signature.Status.UNCONFIRMED.label),
)


@dataclass(frozen=True)
class Column:
    heading: str
    expression: object
    is_time: bool = False
    # Text a person typed, which could start like a formula: neutralised in every export.
    typed: bool = False
    # For a code or id: returns {value: text shown}, looked up in Python or turned into a CASE for COPY.
    labels: Callable | None = None


def region_labels():
    return dict(Region.choices)


def petition_titles():
    return dict(PetitionPage.objects.values_list("pk", "title"))


def wordings_in_words():
    return {wording.pk: wording.in_words for wording in ConsentWording.objects.all()}


@dataclass(frozen=True)
class ExportProfile:
    """What one kind of export holds: which signatures, and which columns in which order."""

    name: str
    label: str
    columns: tuple
    # Narrows the staff's selection, e.g. to signatures that count.
    restrict: Callable

    @property
    def headings(self):
        return [column.heading for column in self.columns]


PROFILES = {
    "full": ExportProfile(
        name="full",
        label="Full (staff use)",
        columns=(
            Column("Name", FULL_NAME, typed=True),
            Column("Email", F("email"), typed=True),
            Column("Postcode", F("postcode"), typed=True),
            Column("Region", F("region"), labels=region_labels),
            Column("Petition", F("petition_id"), labels=petition_titles),
            Column("Signed at", F("created_at"), is_time=True),
            Column("Confirmed at", F("confirmed_at"), is_time=True),
            Column("Contact consent", CONTACT_CONSENT),
            Column("Contact consent wording", F("contact_consent_wording_id"), labels=wordings_in_words),
            Column("Status", STATUS),
            # The link the signer came by (validated at signing; neutralised all the same, as it came
            # from an address anyone can edit).
            Column("Source", F("source"), typed=True),
        ),
        restrict=lambda queryset: queryset,
    ),
    "addressee": ExportProfile(
        name="addressee",
        label="For the addressee (first names and areas)",
        columns=(
            Column("First name", Trim(F("first_name")), typed=True),
            Column("Region", F("region"), labels=region_labels),
        ),
        restrict=lambda queryset: queryset.shown_publicly(),
    ),
}


class LocalTimeText(Func):
    """A time as text in the site's time zone, made by PostgreSQL: "2026-12-01 21:45:14"."""

    template = "CAST(date_trunc('second', timezone(%(expressions)s)) AS text)"
    output_field = CharField()

    def __init__(self, expression):
        super().__init__(Value(settings.TIME_ZONE), expression)


# PostgreSQL text cannot hold NUL, so the database never has to neutralise it.
DATABASE_FORMULA_TRIGGERS = [trigger for trigger in FORMULA_TRIGGERS if trigger != "\0"]


def neutralised_in_database(expression):
    """`neutralise_formula` as SQL, from the same triggers: an apostrophe before a formula-like value."""
    return Case(
        When(In(Left(expression, 1), DATABASE_FORMULA_TRIGGERS), then=Concat(Value("'"), expression)),
        default=expression,
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Export:
    """A prepared export: its rows (not yet read), how many, and how they are written."""

    queryset: object
    profile: ExportProfile
    file_format: str
    rows: int

    @property
    def filename(self):
        return f"signatories-{self.profile.name}-{timezone.localdate():%Y-%m-%d}.{self.file_format}"

    def rows_of_cells(self, for_csv):
        """Each signature as a list of cells in column order, read in chunks through a server-side cursor.

        Only the cells that need it are touched, one function call each: at a million rows every call
        per cell shows. Typed text (name, email, postcode) is neutralised, codes and ids become labels
        from a dictionary neutralised once, times become local.
        """
        text_cell = neutralise_formula if for_csv else _xlsx_text
        time_cell = _csv_time if for_csv else _xlsx_time
        expressions = {}
        converters = []
        for index, column in enumerate(self.profile.columns):
            expressions[f"export_column_{index}"] = column.expression
            if column.is_time:
                converters.append((index, time_cell))
            elif column.labels:
                converters.append(
                    (index, {key: text_cell(text) for key, text in column.labels().items()}.get)
                )
            elif column.typed:
                converters.append((index, text_cell))
        values = (
            self.queryset.annotate(**expressions).values_list(*expressions).iterator(chunk_size=CHUNK_ROWS)
        )
        for row_values in values:
            cells = list(row_values)
            for index, convert in converters:
                cells[index] = convert(cells[index])
            yield cells

    def csv_chunks(self):
        """The CSV file as UTF-8 byte chunks, starting with a byte-order mark so Excel reads accents right.

        On PostgreSQL the database writes the rows itself (COPY ... TO STDOUT of the same query, with
        neutralising, labels and local times in SQL): several times faster than Python, which measured
        at up to ten times COPY's time on a busy machine. Elsewhere Python writes them.
        """
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(self.profile.headings)
        yield ("\ufeff" + header.getvalue()).encode()
        if connection.vendor == "postgresql":
            yield from self._csv_rows_by_copy()
        else:
            yield from self._csv_rows_by_python()

    def _csv_rows_by_python(self):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for written, cells in enumerate(self.rows_of_cells(for_csv=True), start=1):
            writer.writerow(cells)
            if written % CHUNK_ROWS == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    def _csv_rows_by_copy(self):
        expressions = {}
        for index, column in enumerate(self.profile.columns):
            expression = column.expression
            if column.is_time:
                expression = LocalTimeText(expression)
            elif column.labels:
                expression = Case(
                    *[
                        When(Exact(expression, key), then=Value(neutralise_formula(text)))
                        for key, text in column.labels().items()
                    ],
                    default=Value(""),
                    output_field=CharField(),
                )
            elif column.typed:
                expression = neutralised_in_database(expression)
            expressions[f"export_column_{index}"] = expression
        query = self.queryset.annotate(**expressions).values_list(*expressions).query
        select = connection.ops.compose_sql(*query.sql_with_params())
        buffer = bytearray()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy,
        ):
            # COPY hands over one row at a time: send them on in blocks of about 64 KB.
            for row in copy:
                buffer += row
                if len(buffer) >= COPY_BLOCK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
        yield bytes(buffer)

    def write_csv(self, stream):
        for chunk in self.csv_chunks():
            stream.write(chunk)

    def write_xlsx(self, stream):
        """Write the workbook to a binary file object (a temporary file keeps memory flat)."""
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Signatories")
        sheet.append(self.profile.headings)
        for cells in self.rows_of_cells(for_csv=False):
            sheet.append(cells)
        workbook.save(stream)

    def write(self, stream):
        if self.file_format == "xlsx":
            self.write_xlsx(stream)
        else:
            self.write_csv(stream)


def _csv_time(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else ""


def _xlsx_time(moment):
    """A local time without a zone: spreadsheets cannot hold one."""
    return timezone.make_naive(moment) if moment else None


def _xlsx_text(value):
    """Neutralised, and without the control characters an XLSX file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise_formula(value))


def prepare_export(queryset, profile_name, file_format, user, filters, source, xlsx_row_limit=None):
    """Count the rows, refuse an XLSX too large to open, and record the export in the audit log.

    `filters` describes the selection without personal data (see `petitions.staff.filters.describe_filters`);
    `source` says where the export ran ("admin" or "command"); `xlsx_row_limit` lowers Excel's limit.
    Recording happens before any row is written: the log shows every export that started, even one
    whose download was interrupted.
    """
    profile = PROFILES[profile_name]
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}: choose csv or xlsx.")
    selected = profile.restrict(queryset)
    by_petition = dict(selected.order_by().values_list("petition_id").annotate(rows=Count("pk")))
    total = sum(by_petition.values())
    xlsx_row_limit = min(xlsx_row_limit or XLSX_ROW_LIMIT, XLSX_ROW_LIMIT)
    if file_format == "xlsx" and total > xlsx_row_limit:
        raise ExportTooLarge(total, xlsx_row_limit)
    data = {
        "profile": profile.name,
        "format": file_format,
        "filters": filters,
        "total": total,
        "source": source,
    }
    shared_uuid = uuid.uuid4()
    petitions = PetitionPage.objects.filter(pk__in=by_petition)
    if not by_petition:
        # A download that matched no one still happened: it is recorded on the petition it asked for,
        # or on every petition, so the log shows that someone looked.
        petitions = PetitionPage.objects.all()
        if str(filters.get("petition", "")).isdigit():
            petitions = petitions.filter(pk=filters["petition"])
    for petition in petitions:
        log(
            instance=petition,
            action=EXPORT_ACTION,
            user=user,
            uuid=shared_uuid,
            data={**data, "count": by_petition.get(petition.pk, 0)},
        )
    return Export(queryset=selected, profile=profile, file_format=file_format, rows=total)
