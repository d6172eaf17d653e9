from __future__ import annotations

import pytest

from tests.conftest import Cast
from tests.regime.support import Wing, make_wing


@pytest.fixture
def wing(cast: Cast) -> Wing:
    return make_wing(cast)
