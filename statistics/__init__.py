"""The FOI statistics app: datasets, their import, and the widgets that show them.

This package's name is also the name of Python's standard ``statistics`` module, which
Django's SQLite backend (``pstdev`` and friends) and libraries such as pytest-benchmark
import. Only one module can be ``statistics`` in a process, so this package carries the
standard module's code as well: it runs the standard library's ``statistics.py`` and takes
its public names, so ``import statistics`` gives the app and ``statistics.median`` alike.
``config/__init__.py`` makes sure this package, not the bare standard module, is the one
registered.
"""

import importlib.util
import sysconfig
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "statistics", Path(sysconfig.get_path("stdlib")) / "statistics.py"
)
_stdlib_statistics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_stdlib_statistics)
globals().update(
    {name: value for name, value in vars(_stdlib_statistics).items() if not name.startswith("__")}
)
__all__ = list(_stdlib_statistics.__all__)
