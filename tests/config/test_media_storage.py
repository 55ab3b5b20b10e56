"""Uploaded media go to S3-compatible storage when a bucket is configured, to local disk otherwise."""

from tests.config.test_statistics_module_name import run_in_project

# Prints the class and settings of the storage Django would save uploads with. Building the
# storage makes no network call, so no bucket needs to exist.
STORAGE_SCRIPT = """
import django
django.setup()
from django.core.files.storage import default_storage
default_storage._setup()
storage = default_storage._wrapped
print(f"{type(storage).__module__}.{type(storage).__name__}")
print(*(getattr(storage, name, "-") for name in ("bucket_name", "endpoint_url", "file_overwrite")))
"""


def storage_for(env):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    result = run_in_project("-c", STORAGE_SCRIPT, env_overrides=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-2:]


def test_media_go_to_the_s3_bucket_when_one_is_named():
    backend, details = storage_for(
        {"AWS_STORAGE_BUCKET_NAME": "wildwestweb-media", "AWS_S3_ENDPOINT_URL": "https://s3.example.org"}
    )

    assert backend == "storages.backends.s3.S3Storage"
    assert details.split() == ["wildwestweb-media", "https://s3.example.org", "False"]


def test_media_stay_on_local_disk_without_a_bucket():
    backend, _ = storage_for({"AWS_STORAGE_BUCKET_NAME": ""})

    assert backend == "django.core.files.storage.filesystem.FileSystemStorage"
