"""The delivery pack: staff with the export permission ask for it, the real task worker makes the PDF,
they download it (audited); it names only signers who agreed to be shown, and holds no contact details."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import PageLogEntry

from petitions.delivery_pack import drawing
from petitions.delivery_pack.drawing import PackContent, write_pack
from petitions.delivery_pack.requesting import DOWNLOAD_ACTION, REQUEST_ACTION
from petitions.models import DeliveryPack, PackStatus, Signature
from petitions.personal_data.retention import anonymise_closed_petitions
from petitions.signals import signature_erased
from petitions.signing.signatures import confirm_signature
from petitions.staff.invalidation import invalidate_signatures

from .conftest import post_form, run_worker
from .factories import SignatureFactory

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def private_pack_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "delivery_packs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "packs", "base_url": None},
        },
    }
    return tmp_path / "packs"


@pytest.fixture
def staff_client(client, django_user_model):
    """`staff_client(*codenames)`: signed in as admin staff with these permissions of petitions' besides
    the admin's own (given directly: transactional tests flush the groups the migrations make)."""

    def make(*codenames, username="exporter"):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", "x-long-password")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
            *Permission.objects.filter(content_type__app_label="petitions", codename__in=codenames),
        )
        client.force_login(user, backend=BACKEND)
        return client

    return make


@pytest.fixture
def exporter_client(staff_client):
    return staff_client("export_signature")


@pytest.fixture
def signers(petition):
    """Ann (shown, London), Bea (shown, North West), Cy (counted, not shown), Di (shown but unconfirmed),
    Ed (shown, confirmed, then invalidated)."""
    made = {
        "ann": SignatureFactory(
            petition=petition,
            first_name="Annabel",
            last_name="Ashcombe",
            email="ann@example.org",
            postcode="SW1A 1AA",
            show_publicly=True,
        ),
        "bea": SignatureFactory(
            petition=petition,
            first_name="Beatrix",
            last_name="Brackley",
            email="bea@example.org",
            postcode="M1 1AE",
            show_publicly=True,
        ),
        "cy": SignatureFactory(
            petition=petition,
            first_name="Cyprian",
            last_name="Coldharbour",
            email="cy@example.org",
            postcode="M1 1AE",
            show_publicly=False,
        ),
        "di": SignatureFactory(
            petition=petition,
            first_name="Dorothea",
            last_name="Dunnottar",
            email="di@example.org",
            show_publicly=True,
        ),
        "ed": SignatureFactory(
            petition=petition,
            first_name="Edmund",
            last_name="Edgbaston",
            email="ed@example.org",
            show_publicly=True,
        ),
    }
    for key in ("ann", "bea", "cy", "ed"):
        confirm_signature(made[key].pk)
    invalidate_signatures(Signature.objects.filter(pk=made["ed"].pk), "Fraud review", user=None)
    return made


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def screen_url(petition):
    return reverse("petitions_admin:delivery_pack", args=[petition.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_make_a_pack_in_the_worker_and_download_it_with_only_consenting_names(
    petition, signers, exporter_client
):
    client = exporter_client
    assert client.get(screen_url(petition)).status_code == 200

    response = post_form(client, screen_url(petition))
    assert response.status_code == 302
    pack = DeliveryPack.objects.get(petition=petition)
    assert pack.status == PackStatus.QUEUED
    assert PageLogEntry.objects.filter(page=petition, action=REQUEST_ACTION).count() == 1

    run_worker()

    pack.refresh_from_db()
    assert pack.status == PackStatus.READY, pack.error_kind
    assert (pack.total, pack.named) == (3, 2)
    page = client.get(screen_url(petition)).content.decode()
    assert "Ready to download" in page
    download = reverse("petitions_admin:delivery_pack_download", args=[pack.pk])
    assert download in page

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    text = pdf_text(content)
    assert petition.title in text
    assert petition.addressee in text
    assert "3 people signed this letter" in text
    # The count by region, from the counters: London 1, North West 2 (Cy counts, unnamed).
    assert "London\n1" in text
    assert "North West\n2" in text
    # Named as the consent's words say: first name and area, never the last name.
    assert "Annabel" in text
    assert "Beatrix" in text
    for absent in (
        "Ashcombe",
        "Brackley",
        "Cyprian",
        "Coldharbour",
        "Dorothea",
        "Dunnottar",
        "Edmund",
        "Edgbaston",
        "@",
        "example.org",
        "SW1A",
        "M1 1AE",
    ):
        assert absent not in text
    words = " ".join(text.split())
    assert "region of the 2 signers who agreed to their first name and area being shown" in words
    assert "other 1 signers are counted above but not named" in words

    entry = PageLogEntry.objects.get(page=petition, action=DOWNLOAD_ACTION)
    assert entry.user.username == "exporter"
    assert entry.data["pack"] == pack.pk
    assert entry.data["named"] == 2
    # Nothing personal in the audit entry.
    assert "Annabel" not in str(entry.data)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_newer_pack_replaces_the_older_file(petition, signers, exporter_client, private_pack_storage):
    client = exporter_client
    post_form(client, screen_url(petition))
    run_worker()
    first = DeliveryPack.objects.get(petition=petition)
    post_form(client, screen_url(petition))
    run_worker()
    second = DeliveryPack.objects.get(petition=petition)
    assert second.pk != first.pk
    assert second.status == PackStatus.READY
    files = sorted(path.name for path in (private_pack_storage / "delivery-packs").iterdir())
    assert files == [second.file_name.rsplit("/", 1)[-1]]


@pytest.mark.django_db
def test_staff_without_the_export_permission_can_neither_open_the_screen_nor_download(
    petition, signers, staff_client
):
    pack = DeliveryPack.objects.create(
        petition=petition, status=PackStatus.READY, file_name="delivery-packs/x.pdf", total=3, named=2
    )
    # May see signatories and invalidate them, but not export them.
    client = staff_client("view_signature", "manage_signature", username="editor")
    for url in (
        screen_url(petition),
        reverse("petitions_admin:delivery_packs"),
        reverse("petitions_admin:delivery_pack_download", args=[pack.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.get("Content-Type") != "application/pdf"
    assert post_form(client, screen_url(petition)).status_code in (302, 403)
    assert DeliveryPack.objects.count() == 1
    assert not PageLogEntry.objects.filter(action__in=[DOWNLOAD_ACTION, REQUEST_ACTION]).exists()


@pytest.mark.django_db
def test_asking_again_while_a_pack_is_being_made_queues_nothing_more(petition, exporter_client):
    client = exporter_client
    post_form(client, screen_url(petition))
    response = post_form(client, screen_url(petition), follow=True)
    assert "already being made" in response.content.decode()
    assert DeliveryPack.objects.filter(petition=petition).count() == 1


@pytest.mark.django_db
def test_a_pack_that_fails_says_so_without_the_error_text(petition, signers, exporter_client, monkeypatch):
    from petitions.delivery_pack import generation

    def broken(content, output):
        raise OSError("disk full while writing Annabel Ashcombe")

    monkeypatch.setattr(generation, "write_pack", broken)
    client = exporter_client
    post_form(client, screen_url(petition))
    pack = DeliveryPack.objects.get(petition=petition)
    assert generation.generate_pack(pack.pk) == PackStatus.FAILED
    pack.refresh_from_db()
    assert (pack.status, pack.error_kind) == (PackStatus.FAILED, "OSError")
    page = client.get(screen_url(petition)).content.decode()
    assert "The file could not be written." in page
    assert "Annabel" not in page
    assert "Make a new delivery pack" in page
    # Running the task again for the same pack does nothing.
    assert generation.generate_pack(pack.pk) == ""
    missing = client.get(reverse("petitions_admin:delivery_pack_download", args=[pack.pk]))
    assert missing.status_code == 404


def content(signers, total, named):
    return PackContent(
        title="A <b>letter</b> & more",
        addressee="Mark Zuckerberg, Meta",
        letter_html="<p>Dear Mark, <b>please</b> act &amp; listen.</p><ul><li>First point</li></ul>"
        "<h2>Why</h2><ol><li>Numbered point</li></ol>",
        asks=["Stop end-to-end encryption of children's messages"],
        date_text="2 December 2026",
        period_text="",
        total=total,
        by_region=[("London", total)],
        named=named,
        signers=iter(signers),
    )


def test_names_over_many_parts_are_joined_in_order_into_one_valid_pdf(monkeypatch):
    monkeypatch.setattr(drawing, "PART_PAGES", 2)
    names = [(f"Signer Number{index:05d}", "London" if index < 700 else "Wales") for index in range(1500)]
    output = io.BytesIO()
    pages = write_pack(content(names, 1600, 1500), output)
    reader = PdfReader(io.BytesIO(output.getvalue()))
    assert len(reader.pages) == pages
    # The letter's page and 1,500 names at about 116 a page: several parts of 2 pages each.
    assert pages >= 14
    text = "\n".join(page.extract_text() for page in reader.pages)
    positions = [text.index(f"Signer Number{index:05d}") for index in range(1500)]
    assert positions == sorted(positions)
    assert text.index("Wales") > text.index("Signer Number00699")
    assert "A <b>letter</b> & more" in text
    assert "Dear Mark, please act & listen." in text
    assert "Numbered point" in text
    assert "other 100 signers are counted" in " ".join(text.split())


def test_a_very_long_name_is_cut_to_its_column():
    long_name = "Wolfeschlegelsteinhausenbergerdorff" * 3
    output = io.BytesIO()
    write_pack(content([(long_name, "London")], 1, 1), output)
    text = pdf_text(output.getvalue())
    assert long_name not in text
    assert "Wolfeschlegelsteinhausenbergerdorff" in text


def stored_pack(petition, storage_folder, status=PackStatus.READY):
    folder = storage_folder / "delivery-packs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{petition.pk}-{status}.pdf"
    path.write_bytes(b"%PDF-1.4 names")
    pack = DeliveryPack.objects.create(
        petition=petition, status=status, file_name=f"delivery-packs/{path.name}", total=1, named=1
    )
    return pack, path


@pytest.mark.django_db(transaction=True)
def test_erasing_a_signer_deletes_the_stored_packs_that_name_them(petition, private_pack_storage):
    ready, ready_file = stored_pack(petition, private_pack_storage)
    running, _ = stored_pack(petition, private_pack_storage, status=PackStatus.RUNNING)
    with transaction.atomic():
        signature_erased.send(sender=None, signature_ids=[1], petition_ids=[petition.pk])
    assert not DeliveryPack.objects.filter(pk=ready.pk).exists()
    assert not ready_file.exists()
    # One being made reads its own snapshot; staff can make a new one after.
    assert DeliveryPack.objects.filter(pk=running.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_anonymising_a_closed_petition_deletes_its_stored_pack(petition, private_pack_storage, settings):
    SignatureFactory(petition=petition, confirmed_at=timezone.now())
    petition.closes_at = timezone.now() - timedelta(days=settings.PETITION_ANONYMISE_AFTER_DAYS + 1)
    petition.save()
    pack, path = stored_pack(petition, private_pack_storage)
    assert anonymise_closed_petitions() == {petition.pk: 1}
    assert not DeliveryPack.objects.filter(pk=pack.pk).exists()
    assert not path.exists()
