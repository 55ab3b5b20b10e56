"""The `statistics` app must not break Python's standard `statistics` module."""

import os
import subprocess
import sys
from pathlib import Path

import statistics

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_in_project(*args, env_overrides=None):
    env = {**os.environ, "DEBUG": "true", **(env_overrides or {})}
    # A switch only the browser tests' own process may set; `check --deploy` rightly refuses it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_standard_statistics_functions_work_inside_the_project_process():
    assert statistics.__file__ == str(PROJECT_ROOT / "statistics" / "__init__.py")
    assert statistics.median([1, 3, 5]) == 3
    assert statistics.pstdev([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0
    assert statistics.NormalDist(0, 1).cdf(0) == 0.5


def test_migrate_on_sqlite_works(tmp_path):
    result = run_in_project(
        "manage.py",
        "migrate",
        "--noinput",
        env_overrides={"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
    )
    assert result.returncode == 0, result.stderr


def test_sqlite_aggregates_that_use_the_standard_module_work(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.db import connection;"
        "cursor = connection.cursor();"
        "cursor.execute('SELECT STDDEV_POP(v) FROM (SELECT 2 AS v UNION ALL SELECT 4)');"
        "print(cursor.fetchone()[0])"
    )
    result = run_in_project(
        "-c",
        script,
        env_overrides={
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.strip()) == 1.0


def test_app_loads_even_when_the_standard_module_was_imported_first():
    script = (
        "import sys; sys.path.remove('') if '' in sys.path else None;"
        "import statistics as early; assert not hasattr(early, '__path__');"
        f"sys.path.insert(0, {str(PROJECT_ROOT)!r});"
        "import django; django.setup();"
        "from django.apps import apps;"
        "import statistics;"
        "print(apps.get_app_config('statistics').path, statistics.median([1, 3, 5]), early.median([2, 4]))"
    )
    result = run_in_project("-c", script, env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    app_path, median, early_median = result.stdout.split()
    assert app_path == str(PROJECT_ROOT / "statistics")
    assert (median, early_median) == ("3", "3.0")
