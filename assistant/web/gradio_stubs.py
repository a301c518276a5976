"""Gradio without its stub writer: ~1.3 s less CPU each time a process imports it (app start, each worker).

Gradio (6.x) regenerates the type stubs (.pyi) of its components every time it is imported: for each of ~80
component classes it reads and parses the class's source file and its .pyi, renders a Jinja template and
rewrites the .pyi if it differs (in site-packages). That is a tool for Gradio's own development: the stubs are
for type checkers, nothing at run time reads them. `skip_stub_writing` makes it a no-op in this process, before
Gradio is imported; if a Gradio version has no such step, nothing changes.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_MODULE = "gradio.component_meta"
_STEP = "create_or_modify_pyi"


def _no_stub(*_args: Any, **_kwargs: Any) -> None:
    return None


class _SkipStubs(importlib.abc.MetaPathFinder):
    """Finds nothing itself; when gradio.component_meta is loaded, replaces its stub writer right after."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if hasattr(module, _STEP):
                setattr(module, _STEP, _no_stub)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_stub_writing() -> None:
    """Before Gradio is imported in this process (afterwards there is nothing left to save)."""
    if _MODULE in sys.modules:
        existing = sys.modules[_MODULE]
        if hasattr(existing, _STEP):
            setattr(existing, _STEP, _no_stub)
        return
    if not any(isinstance(finder, _SkipStubs) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SkipStubs())
