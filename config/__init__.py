"""Project configuration: settings, root URLs, WSGI/ASGI and gunicorn's settings; the plumbing is `core`."""

import sys

# The `statistics` app doubles as Python's standard `statistics` module (see
# statistics/__init__.py). If something imported the bare standard module before Django
# loads its apps (a pytest plugin, say), drop it so that `import statistics` finds the app
# package, which carries the standard functions too. Modules that already hold the standard
# module keep working.
if not hasattr(sys.modules.get("statistics"), "__path__"):
    sys.modules.pop("statistics", None)
