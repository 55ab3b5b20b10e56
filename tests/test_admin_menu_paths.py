"""Every admin menu path the project's words name ("Statistics → Widgets") is one the admin has.

Help texts, form labels, messages, empty states, templates and the staff guide tell editors where to go;
a path that does not exist leaves them lost (issue 15: "made under Snippets → Statistic widgets" when the
menu says Statistics → Widgets). The paths are read from the code's strings (not its docstrings), the
templates, the README and the staff guide, and checked against the menu a superuser sees.
"""

import ast
import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import get_resolver
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

ROOT = Path(__file__).resolve().parents[1]
APPS = ("campaign", "core", "petitions", "statistics")
GUIDES = ("README.md", "docs/staff.md")
# "Statistics → Widgets": capitalised names joined by arrows; what follows the last may be more words.
PATH = re.compile(r"(?<![\w'])((?:[A-Z][\w-]*(?: [A-Z][\w-]*)* → )+)([A-Z][^→.,;:()\"'\n]*)")

pytestmark = pytest.mark.django_db


def _code_strings(path):
    """The strings in a Python file, docstrings left out; an f-string's parts joined around '{}'."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def _texts():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield from ((path, text) for text in _code_strings(path))
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path, path.read_text(encoding="utf-8")
    for name in GUIDES:
        yield ROOT / name, " ".join((ROOT / name).read_text(encoding="utf-8").split())


def named_paths():
    """(where, the path's names) for every menu path the words name."""
    found = []
    for path, text in _texts():
        for match in PATH.finditer(text.replace("**", "")):
            names = [name.strip() for name in match.group(1).split("→") if name.strip()]
            found.append((str(path.relative_to(ROOT)), [*names, match.group(2).strip()]))
    return found


def _menu(items, request):
    """{label: submenu or None} for the menu items the request's user sees."""
    menu = {}
    for item in items:
        if not item.is_shown(request):
            continue
        submenu = None
        if isinstance(item, SubmenuMenuItem):
            submenu = _menu(item.menu.menu_items_for_request(request), request)
        menu[str(item.label)] = submenu
    return menu


@pytest.fixture
def superuser_menu(superuser):
    # Viewsets add their menu items as the admin's URLs are first read: read them before the menu.
    get_resolver().url_patterns  # noqa: B018
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return _menu(admin_menu.menu_items_for_request(request), request)


def _exists(names, menu):
    """Whether the names lead through the menu; the last may be followed by more words of the sentence
    ("Statistics → Periods if the stored dates are wrong")."""
    # "Admin → Signatories" names an item of the admin's own menu.
    if names[0] == "Admin":
        names = names[1:]
    *parents, last = names
    for name in parents:
        if not isinstance(menu, dict) or name not in menu:
            return False
        menu = menu[name]
    return isinstance(menu, dict) and any(last == label or last.startswith(label + " ") for label in menu)


def test_the_words_name_menu_paths_at_all():
    # Guards the reading below: if it found nothing, the test after it would pass by checking nothing.
    assert any(names[:2] == ["Statistics", "Datasets"] for _where, names in named_paths())


def test_every_menu_path_the_words_name_is_in_the_admin_menu(superuser_menu):
    missing = [
        f"{where}: {' → '.join(names)}"
        for where, names in named_paths()
        if not _exists(names, superuser_menu)
    ]

    assert not missing, "\n".join(missing)
