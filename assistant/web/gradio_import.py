"""Gradio's import made cheaper: ~1.8 s less CPU each time a process imports it (app start, each worker).

Two steps of `import gradio` (6.x) that run for each of its ~80 component classes and serve only Gradio's own
development or documentation:
- it regenerates the components' type stubs (.pyi): reads and parses each class's source file and its .pyi,
  renders a Jinja template and rewrites the .pyi in site-packages if it differs. Nothing reads them at run
  time (they are for type checkers): here that step does nothing.
- it fills the component's name into each event listener's docstring by compiling the same few Jinja
  templates again for every component (216 compilations): here each distinct template is compiled once and
  reused, so the docstrings come out the same.
`cheaper_gradio_import` must run before Gradio is imported; if a Gradio version lacks either step, nothing
changes.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any


def _no_stub(*_args: Any, **_kwargs: Any) -> None:
    return None


def _skip_stubs(module: ModuleType) -> None:
    if hasattr(module, "create_or_modify_pyi"):
        module.create_or_modify_pyi = _no_stub  # type: ignore[attr-defined]


def _compile_each_template_once(module: ModuleType) -> None:
    template = getattr(module, "Template", None)
    if template is not None and not hasattr(template, "cache_info"):
        module.Template = functools.lru_cache(maxsize=None)(template)  # type: ignore[attr-defined]


_CHANGES: dict[str, Callable[[ModuleType], None]] = {
    "gradio.component_meta": _skip_stubs,
    "gradio.events": _compile_each_template_once,
}


class _AfterLoading(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when a module of _CHANGES is loaded, applies its change right after it ran (before
    the components that use it are defined)."""

    def __init__(self) -> None:
        self.pending = dict(_CHANGES)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        change = self.pending.pop(fullname, None)
        if change is None:
            return None
        if not self.pending:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            change(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def cheaper_gradio_import() -> None:
    """Before Gradio is imported in this process (afterwards there is nothing left to save)."""
    if "gradio" in sys.modules or any(isinstance(finder, _AfterLoading) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _AfterLoading())
