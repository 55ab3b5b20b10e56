"""`manage.py export_signatories`: the admin's exports, with the same filters and profiles, for cron."""

import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageLogEntry

from petitions.models import Signature
from petitions.signing.signatures import confirm_signature
from petitions.staff import exports
from petitions.staff.exports import EXPORT_ACTION

from .factories import PetitionPageFactory, SignatureFactory


@pytest.fixture
def signatures(petition, plain_home_page):
    ann = SignatureFactory(petition=petition, email="ann@example.org", first_name="Ann", contact_consent=True)
    bob = SignatureFactory(petition=petition, email="bob@example.org", first_name="@Bob", postcode="M1 1AE")
    SignatureFactory(petition=petition, email="cy@example.org", first_name="Cy", contact_consent=True)
    other = PetitionPageFactory(parent=plain_home_page)
    dan = SignatureFactory(petition=other, email="dan@example.org", first_name="Dan", contact_consent=True)
    for signature in (ann, bob, dan):
        confirm_signature(signature.pk)
    return other


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_signatories", *args, stdout=out, stderr=err)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff")))), err.getvalue()


def test_csv_to_stdout_with_the_listings_filters(petition, signatures):
    rows, message = run("--petition", str(petition.pk), "--contact-consent", "yes", "--confirmed", "yes")

    assert rows[0][:2] == ["Name", "Email"]
    assert [row[1] for row in rows[1:]] == ["ann@example.org"]
    assert "Exported 1 signatures" in message


def test_addressee_profile_for_the_letter(petition, signatures):
    Signature.objects.filter(first_name__in=["@Bob", "Dan", "Cy"]).update(show_publicly=True)

    rows, _ = run("--profile", "addressee", "--region", "north-west", "--region", "london")

    # Ann did not agree to be shown and Cy is unconfirmed: counted or not, neither is named.
    assert rows == [["First name", "Region"], ["'@Bob", "North West"], ["Dan", "London"]]


def test_xlsx_to_a_file_is_audited_with_the_user_named(petition, signatures, tmp_path, superuser):
    output = tmp_path / "letter.xlsx"

    call_command(
        "export_signatories",
        "--format",
        "xlsx",
        "--output",
        str(output),
        "--search",
        "bob",
        "--user",
        superuser.username,
        stderr=io.StringIO(),
    )

    sheet = openpyxl.load_workbook(output).active
    assert [cell.value for cell in sheet[2]][:2] == ["'@Bob Example", "bob@example.org"]
    assert sheet.max_row == 2
    entry = PageLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.page_id == petition.pk
    assert entry.user == superuser
    assert entry.data["source"] == "command"
    assert entry.data["filters"] == {"search": "used (text not recorded)"}
    assert entry.data["count"] == 1


def test_xlsx_beyond_excels_limit_is_refused(signatures, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 2)

    with pytest.raises(CommandError, match="holds at most 2"):
        run("--format", "xlsx", "--output", str(tmp_path / "all.xlsx"))
    assert not (tmp_path / "all.xlsx").exists()


def test_invalid_filters_and_xlsx_to_terminal_are_refused(signatures):
    with pytest.raises(CommandError, match="Signed between .*: Enter a valid date"):
        run("--signed-from", "yesterday")
    with pytest.raises(CommandError, match="--output"):
        run("--format", "xlsx")
    assert not PageLogEntry.objects.filter(action=EXPORT_ACTION).exists()
