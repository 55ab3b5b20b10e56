"""`make run` on SQLite: the task worker and the site write at once without "database is locked".

The settings give SQLite WAL mode, IMMEDIATE transactions and a busy timeout (config/settings.py). This
runs the real thing against a SQLite file of its own, whatever database the rest of the suite uses: a
real `db_worker` process sending confirmation mails (and marking each sent), while another process signs the
petition through the sign view and publishes page revisions (tests/config/sqlite_writer.py).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VISITORS = 60

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")


def run(env, *args, timeout=600):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_worker_and_requests_write_the_same_sqlite_file_at_once(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": "locmemcache://sqlite-writers",
        "EMAIL_URL": "consolemail://",
        "ALLOWED_HOSTS": "testserver,localhost",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "ERROR",
        "PETITION_FORM_MIN_SECONDS": "0",
        "PETITION_SIGN_RATE_LIMIT": "1000000",
        "PETITION_MAIL_COALESCE_SECONDS": "0",
    }
    migrated = run(env, "manage.py", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    journal_mode = run(env, "manage.py", "shell", "--no-imports", "-c", _PRINT_JOURNAL_MODE)
    assert journal_mode.stdout.strip() == "wal", journal_mode.stderr

    worker_log = tmp_path / "worker.log"
    with worker_log.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.05", "--no-startup-delay",
             "--no-reload", "-v", "0"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            writer = run(env, "-m", "tests.config.sqlite_writer", str(VISITORS))
            drained = run(env, "manage.py", "shell", "--no-imports", "-c", _WAIT_FOR_EMPTY_QUEUE)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    worker_output = worker_log.read_text()

    assert "database is locked" not in writer.stdout + writer.stderr + worker_output
    assert writer.returncode == 0, writer.stdout + writer.stderr
    assert drained.returncode == 0, drained.stdout + drained.stderr + worker_output
    outcome = run(env, "manage.py", "shell", "--no-imports", "-c", _OUTCOME).stdout.split()
    assert outcome == [
        f"signatures={VISITORS}",
        f"mailed={VISITORS}",
        "tasks_failed=0",
    ], worker_output


_PRINT_JOURNAL_MODE = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
"""

# Every task run (the mail sends the signing queued) has finished, within two minutes.
_WAIT_FOR_EMPTY_QUEUE = """
import sys, time
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
deadline = time.monotonic() + 120
unfinished = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
while DBTaskResult.objects.filter(status__in=unfinished).exists():
    if time.monotonic() > deadline:
        sys.exit("tasks still unfinished")
    time.sleep(0.2)
"""

_OUTCOME = """
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from petitions.models import MailStatus, Signature
print(f"signatures={Signature.objects.count()}")
print(f"mailed={Signature.objects.filter(mail_status=MailStatus.SENT).count()}")
print(f"tasks_failed={DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()}")
"""
