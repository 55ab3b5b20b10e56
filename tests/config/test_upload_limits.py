"""Upload type and size limits, through the Wagtail admin's own upload forms."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from tests.config.test_statistics_module_name import run_in_project

SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>"""


def png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def upload_image(client, name, content):
    return client.post(
        reverse("wagtailimages:add"),
        {"title": "Upload", "file": SimpleUploadedFile(name, content)},
    )


def test_svg_images_are_refused(superuser_client):
    response = upload_image(superuser_client, "chart.svg", SVG)

    assert response.status_code == 200
    assert "Not a supported image format" in response.text
    assert not Image.objects.exists()


def test_svg_renamed_to_png_is_refused(superuser_client):
    response = upload_image(superuser_client, "chart.png", SVG)

    assert "Not a valid .png image" in response.text
    assert not Image.objects.exists()


def test_a_real_png_is_accepted(superuser_client):
    response = upload_image(superuser_client, "chart.png", png_bytes())

    assert response.status_code == 302
    assert Image.objects.get().title == "Upload"


def test_images_over_the_size_limit_are_refused(superuser_client, settings):
    # A valid PNG padded past the limit: the size check, not the format check, must refuse it.
    oversized = png_bytes() + bytes(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)

    response = upload_image(superuser_client, "huge.png", oversized)

    assert "This file is too big" in response.text
    assert not Image.objects.exists()


def test_documents_over_the_size_limit_are_refused(superuser_client, settings):
    response = superuser_client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Report",
            "file": SimpleUploadedFile("report.pdf", bytes(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE + 1)),
        },
    )

    assert "This file is too big" in response.text
    assert not Document.objects.exists()


def test_form_bodies_over_the_request_limit_are_refused(client, db, settings):
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "password": "irrelevant"},
    )

    assert response.status_code == 400


def test_limits_come_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.FILE_UPLOAD_MAX_MEMORY_SIZE,"
        " settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE, settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)"
    )
    result = run_in_project(
        "-c",
        script,
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATA_UPLOAD_MAX_MEMORY_SIZE": "1000",
            "FILE_UPLOAD_MAX_MEMORY_SIZE": "2000",
            "WAGTAILIMAGES_MAX_UPLOAD_SIZE": "3000",
            "WAGTAILDOCS_MAX_UPLOAD_SIZE": "4000",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == ["1000", "2000", "3000", "4000"]
