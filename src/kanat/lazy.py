"""Names a package loads on first use (PEP 562), so that importing one of its data types does not load the rest."""

from __future__ import annotations

import importlib


def lazy_names(package: str, where: dict[str, str], namespace: dict):
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``where`` comes from its module when first asked.

    ``namespace`` is the package's ``globals()``; a loaded name is kept there, so it is looked up once.
    """

    def __getattr__(name: str):
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
