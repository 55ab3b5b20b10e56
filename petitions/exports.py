"""Signatories written out as CSV or XLSX, for the admin listing and `manage.py export_signatories`.

Two profiles: "full" (everything staff need to contact or answer a signatory) and "addressee" (names
and regions of confirmed, valid signatures: what the letter's addressee receives). Rows are read with
`values_list(...).iterator()` (a server-side cursor on PostgreSQL), so memory stays flat however many
rows there are: CSV is produced chunk by chunk, XLSX is written by openpyxl's write-only mode to a
temporary file. Every text cell goes through `config.spreadsheets.neutralise_formula`. Each export is
recorded in Wagtail's audit log, one entry per petition it contains, without any personal data.
"""

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.log_actions import log

from config.spreadsheets import neutralise_formula
from petitions.models import ConsentWording, PetitionPage, Signature
from petitions.regions import Region

EXPORT_ACTION = "petitions.export_signatures"

# Excel opens at most 1,048,576 rows, one of them the header. openpyxl's write-only mode keeps memory
# flat at any size, so this is Excel's limit, not ours: beyond it, CSV is the only format that opens.
XLSX_ROW_LIMIT = 1_048_575

# Rows fetched per round trip from the database cursor, and rows per chunk of the CSV stream.
CHUNK_ROWS = 2000

FORMATS = ("csv", "xlsx")


class ExportTooLarge(Exception):
    """More rows than an XLSX sheet can hold."""

    def __init__(self, rows):
        self.rows = rows
        super().__init__(
            f"These filters select {rows:,} signatures, more than a spreadsheet sheet holds "
            f"({XLSX_ROW_LIMIT:,}). Download CSV instead, or narrow the filters."
        )


@dataclass(frozen=True)
class ExportProfile:
    """What one kind of export holds: which signatures, and which columns in which order."""

    name: str
    label: str
    headings: tuple
    # Read from the database in this order and turned into cells by `make_row`.
    fields: tuple
    make_row: Callable
    # Narrows the staff's selection, e.g. to signatures that count.
    restrict: Callable


def _local(moment):
    """A stored time as the site's local time without a zone, as spreadsheets want it."""
    return timezone.make_naive(moment) if moment else None


def _status(confirmed_at, invalidated_at):
    if invalidated_at:
        return Signature.Status.INVALIDATED.label
    if confirmed_at:
        return Signature.Status.CONFIRMED.label
    return Signature.Status.UNCONFIRMED.label


def _full_name(first_name, last_name):
    return f"{first_name} {last_name}".strip()


REGION_LABELS = dict(Region.choices)


def _full_row(lookups, values):
    first, last, email, postcode, region, petition, signed, confirmed, consent, wording, invalidated = values
    return [
        _full_name(first, last),
        email,
        postcode,
        REGION_LABELS.get(region, region),
        lookups.petition_titles.get(petition, ""),
        _local(signed),
        _local(confirmed),
        "yes" if consent else "no",
        lookups.wording_versions.get(wording, ""),
        _status(confirmed, invalidated),
    ]


def _addressee_row(lookups, values):
    first, last, region = values
    return [_full_name(first, last), REGION_LABELS.get(region, region)]


PROFILES = {
    "full": ExportProfile(
        name="full",
        label="Full (staff use)",
        headings=(
            "Name",
            "Email",
            "Postcode",
            "Region",
            "Petition",
            "Signed at",
            "Confirmed at",
            "Contact consent",
            "Consent wording version",
            "Status",
        ),
        fields=(
            "first_name",
            "last_name",
            "email",
            "postcode",
            "region",
            "petition_id",
            "created_at",
            "confirmed_at",
            "contact_consent",
            "contact_consent_wording_id",
            "invalidated_at",
        ),
        make_row=_full_row,
        restrict=lambda queryset: queryset,
    ),
    "addressee": ExportProfile(
        name="addressee",
        label="For the addressee (names and regions)",
        headings=("Name", "Region"),
        fields=("first_name", "last_name", "region"),
        make_row=_addressee_row,
        restrict=lambda queryset: queryset.counted(),
    ),
}


@dataclass(frozen=True)
class _Lookups:
    """Petition titles and wording versions by id: a few rows read once instead of a join per signature."""

    petition_titles: dict
    wording_versions: dict

    @classmethod
    def load(cls):
        return cls(
            petition_titles=dict(PetitionPage.objects.values_list("pk", "title")),
            wording_versions=dict(ConsentWording.objects.values_list("pk", "version")),
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

    def rows_as_cells(self):
        """Each signature as a list of cells, in the profile's column order, read in chunks."""
        lookups = _Lookups.load()
        values = self.queryset.values_list(*self.profile.fields).iterator(chunk_size=CHUNK_ROWS)
        make_row = self.profile.make_row
        for row_values in values:
            yield make_row(lookups, row_values)

    def csv_chunks(self):
        """The CSV file as UTF-8 byte chunks (with a byte-order mark so Excel reads accents right)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(self.profile.headings)
        for written, cells in enumerate(self.rows_as_cells(), start=1):
            writer.writerow([_csv_text(cell) for cell in cells])
            if written % CHUNK_ROWS == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    def write_csv(self, stream):
        for chunk in self.csv_chunks():
            stream.write(chunk)

    def write_xlsx(self, stream):
        """Write the workbook to a binary file object (a temporary file keeps memory flat)."""
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Signatories")
        sheet.append(self.profile.headings)
        for cells in self.rows_as_cells():
            sheet.append([_xlsx_value(cell) for cell in cells])
        workbook.save(stream)

    def write(self, stream):
        if self.file_format == "xlsx":
            self.write_xlsx(stream)
        else:
            self.write_csv(stream)


def _csv_text(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return neutralise_formula(value)


def _xlsx_value(value):
    """Dates stay dates; text is neutralised and stripped of characters an XLSX file cannot hold."""
    if value is None or hasattr(value, "strftime"):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise_formula(value))


def prepare_export(queryset, profile_name, file_format, user, filters, source):
    """Count the rows, refuse an XLSX too large to open, and record the export in the audit log.

    `filters` describes the selection without personal data (see `petitions.filters.describe_filters`);
    `source` says where the export ran ("admin" or "command"). Recording happens before any row is
    written: the log shows every export that started, even one whose download was interrupted.
    """
    profile = PROFILES[profile_name]
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}: choose csv or xlsx.")
    selected = profile.restrict(queryset)
    by_petition = dict(selected.order_by().values_list("petition_id").annotate(rows=Count("pk")))
    total = sum(by_petition.values())
    if file_format == "xlsx" and total > XLSX_ROW_LIMIT:
        raise ExportTooLarge(total)
    data = {
        "profile": profile.name,
        "format": file_format,
        "filters": filters,
        "total": total,
        "source": source,
    }
    shared_uuid = uuid.uuid4()
    for petition in PetitionPage.objects.filter(pk__in=by_petition):
        log(
            instance=petition,
            action=EXPORT_ACTION,
            user=user,
            uuid=shared_uuid,
            data={**data, "count": by_petition[petition.pk]},
        )
    return Export(queryset=selected, profile=profile, file_format=file_format, rows=total)
