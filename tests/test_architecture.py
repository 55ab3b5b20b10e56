"""The apps stand in layers, and nothing points up or sideways: not in Python, not in templates.

Python: `lint-imports` checks the contracts in pyproject.toml (`make lint` runs it); here it is shown to
fail on a bad edge, so a contract that checks nothing (or a graph of the wrong `statistics`) cannot pass.
Templates: a template's owner is its first directory (`campaign/`, `petitions/`, `statistics/`, `core/`);
the site frame outside those (`base.html`, `error_base.html`, the error pages, `includes/`, overrides of
Wagtail's templates) is core's. Each may extend, include and load only what its owner's layer may import.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.template.backends.django import get_installed_libraries

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT_ROOT / "templates"
PACKAGES = ("config", "campaign", "petitions", "statistics", "core")
APPS = ("campaign", "petitions", "statistics", "core")
# What each layer may use (itself included); anything not the project's (Django, Wagtail) is always allowed.
MAY_USE = {
    "campaign": {"campaign", "petitions", "statistics", "core"},
    "petitions": {"petitions", "core"},
    "statistics": {"statistics", "core"},
    "core": {"core"},
}

_TEMPLATE_NAME = re.compile(r"""{%\s*(extends|include)\s+(\S+)""")
_LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")
_SETTINGS = re.compile(r"\bsettings\.(\w+)\.[A-Z]\w*")


def template_owner(name):
    """The app a template of the project belongs to, from its name; None for Django's and Wagtail's own."""
    first = name.split("/", 1)[0]
    if first in APPS:
        return first
    return "core" if (TEMPLATES / name).is_file() else None


def library_owner(library):
    module = get_installed_libraries().get(library, "")
    first = module.split(".", 1)[0]
    return first if first in APPS else None


def edges(source):
    """(what, name, owner) for every template, tag library and app settings `source` uses."""
    for tag, argument in _TEMPLATE_NAME.findall(source):
        if argument[0] not in "\"'":
            # A name in a variable cannot be checked, so it is not allowed.
            yield tag, argument, "unknown"
            continue
        name = argument.strip("\"'")
        yield tag, name, template_owner(name)
    for names in _LOAD.findall(source):
        libraries = names.split(" from ")[-1].split() if " from " in names else names.split()
        for library in libraries:
            yield "load", library, library_owner(library)
    for app_label in _SETTINGS.findall(source):
        yield "settings", app_label, app_label if app_label in APPS else None


def edges_against_direction(owner, source):
    allowed = MAY_USE[owner]
    return [
        f"{tag} {name} ({target})"
        for tag, name, target in edges(source)
        if target is not None and target not in allowed
    ]


def project_templates():
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def test_templates_extend_include_and_load_only_their_own_layer_or_below():
    wrong = {}
    for path in project_templates():
        name = str(path.relative_to(TEMPLATES))
        if found := edges_against_direction(template_owner(name), path.read_text()):
            wrong[name] = found

    assert wrong == {}
    assert len(project_templates()) > 50, "the templates were found"


@pytest.mark.parametrize(
    ("owner", "source", "expected"),
    [
        ("statistics", '{% extends "campaign/content_page.html" %}', "extends campaign/content_page.html"),
        (
            "petitions",
            '{% include "statistics/widgets/_source.html" %}',
            "include statistics/widgets/_source",
        ),
        (
            "core",
            "{% load wagtailcore_tags fragment_cache %}{{ settings.campaign.Menu.x }}",
            "settings campaign",
        ),
        (
            "core",
            '{% include "campaign/blocks/heading.html" with value=v %}',
            "include campaign/blocks/heading",
        ),
        ("petitions", "{% include template_name %}", "include template_name (unknown)"),
    ],
)
def test_an_edge_against_the_direction_is_found(owner, source, expected):
    assert any(found.startswith(expected) for found in edges_against_direction(owner, source))


def test_edges_down_the_layers_are_allowed():
    source = '{% extends "base.html" %}{% load site_frame static %}{% include "includes/pagination.html" %}'

    assert edges_against_direction("statistics", source) == []
    assert edges_against_direction("campaign", '{% include "petitions/blocks/petition.html" %}') == []


# Import contracts --------------------------------------------------------------------------------


def lint_imports(root):
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project_copy(tmp_path):
    """The project's Python packages and its contracts, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            tmp_path / package,
            ignore=lambda folder, names: [
                n for n in names if not (n.endswith(".py") or Path(folder, n).is_dir())
            ],
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_import_contracts_hold(project_copy):
    contracts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]

    result = lint_imports(project_copy)

    assert result.returncode == 0, result.stdout
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "expected"),
    [
        # Inside a function too: grimp reads every import statement.
        (
            "statistics/rendering.py",
            "def f():\n    import petitions.models\n",
            "statistics.rendering -> petitions",
        ),
        ("core/caching.py", "import campaign.blocks\n", "core.caching -> campaign.blocks"),
        (
            "petitions/signing/views.py",
            "from campaign.blocks import ShareLinksBlock\n",
            "petitions.signing.views -> campaign",
        ),
        (
            "statistics/figures/presenters.py",
            "import statistics.rendering\n",
            "No cycles are allowed in statistics",
        ),
        ("core/page_cache/tokens.py", "import core.page_cache.middleware\n", "No cycles are allowed in core"),
        # Inside statistics: a module may not use one above it, even without a cycle.
        (
            "statistics/rendering.py",
            "import statistics.filters\n",
            "statistics.rendering is not allowed to import statistics.filters",
        ),
        # Inside petitions: the mail it sends may not reach back to the signing that queues it.
        (
            "petitions/mail/delivery.py",
            "def f():\n    import petitions.signing.signatures\n",
            "No cycles are allowed in petitions",
        ),
        (
            "petitions/models/counts.py",
            "import petitions.staff.invalidation\n",
            "petitions.models is not allowed to import petitions.staff",
        ),
    ],
)
def test_an_import_against_the_layers_or_in_a_cycle_breaks_the_build(
    project_copy, module, bad_import, expected
):
    with (project_copy / module).open("a") as file:
        file.write("\n" + bad_import)

    result = lint_imports(project_copy)

    assert result.returncode != 0
    assert expected in result.stdout


@pytest.mark.parametrize("app", ["statistics", "petitions"])
def test_a_module_without_a_layer_breaks_the_build(project_copy, app):
    (project_copy / app / "odds_and_ends.py").write_text('"""Somewhere to put things."""\n')

    result = lint_imports(project_copy)

    assert result.returncode != 0
    assert f"- {app}.odds_and_ends" in result.stdout
