from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.conftest import Cast
from tests.standards.support import NOW, Ward, baseline, ward


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def the_ward(cast: Cast) -> Ward:
    w = Ward(ward())
    baseline(w)
    return w
