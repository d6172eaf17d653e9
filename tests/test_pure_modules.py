"""The pure modules (STYLE.md: "pure computation lives in a typed module without Django imports")
import and work with Django blocked: they can be tested, benchmarked and reused without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "habeas.core.marks",
    "habeas.housing.allocator",
    "habeas.housing.allocator.model",
    "habeas.housing.allocator.rules",
    "habeas.housing.allocator.questions",
    "habeas.housing.allocator.checker",
    "habeas.housing.allocator.planner",
    "habeas.housing.allocator.assign",
    "habeas.housing.allocator.exact",
    "habeas.housing.allocator.solve",
    "habeas.housing.instance",
    "habeas.sentencing.calculator",
    "habeas.sentencing.files",
]

BLOCK_DJANGO = """
import importlib, importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError(f"{name} imported by a pure module")
sys.meta_path.insert(0, Block())
importlib.import_module(sys.argv[1])
"""


@pytest.mark.parametrize("module", PURE)
def test_imports_without_django(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_DJANGO, module], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_the_check_fails_for_a_module_that_imports_django() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_DJANGO, "habeas.housing.engine"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "imported by a pure module" in done.stderr
