from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.conftest import Cast
from tests.standards.support import NOW, Ward, baseline, ward


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    """Every test of the standards lives on the same evening (D20), so days are fixed."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def the_ward(cast: Cast) -> Ward:
    """The ward with its eight people of D0 (not yet settled: a test may add to it first)."""
    w = Ward(ward())
    baseline(w)
    return w
