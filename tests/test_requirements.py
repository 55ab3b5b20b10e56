"""Every package the tests import is pinned in requirements*.txt, not left to arrive through another one
(as BeautifulSoup did, through Wagtail): an upgrade of that other package must not change the tests."""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OWN_PACKAGES = {"bench", "campaign", "config", "core", "petitions", "statistics", "tests"}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned():
    """The distributions requirements.txt and requirements-dev.txt pin, by canonical name."""
    names = set()
    for path in PROJECT_ROOT.glob("requirements*.txt"):
        for line in path.read_text().splitlines():
            if match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line.strip()):
                names.add(canonical(match[1]))
    return names


def imported(folder):
    """The top-level modules the Python files under `folder` import, with one file that imports each."""
    modules = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                modules.setdefault(name.split(".")[0], path.relative_to(PROJECT_ROOT))
    return modules


def test_every_package_the_tests_import_is_pinned():
    distributions = importlib.metadata.packages_distributions()
    pins = pinned()
    unpinned = {}
    for module, where in imported(PROJECT_ROOT / "tests").items():
        if module in OWN_PACKAGES or module in sys.stdlib_module_names:
            continue
        for distribution in distributions.get(module, [module]):
            if canonical(distribution) not in pins:
                unpinned[distribution] = str(where)

    assert unpinned == {}, "pin these in requirements-dev.txt (imported by the files named)"


def test_the_check_sees_the_tests_own_imports():
    modules = imported(PROJECT_ROOT / "tests")

    assert {"bs4", "factory", "playwright", "pytest", "django"} <= set(modules)
    assert {"beautifulsoup4", "factory-boy", "playwright", "pytest", "django"} <= pinned()
