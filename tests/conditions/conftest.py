from __future__ import annotations

import pytest

from habeas.estate.models import Facility
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import Wing, make_wing


@pytest.fixture
def big(db: None) -> Facility:
    """A facility shaped like CECOT: 8 modules of 32 cells (256 cells)."""
    return f.facility(
        "mega",
        name="Mega",
        units={
            str(u): [f.cell(f"{u}-{c:02d}", area="100", bunks=80) for c in range(1, 33)]
            for u in range(1, 9)
        },
    )


@pytest.fixture
def wing(cast: Cast) -> Wing:
    return make_wing(cast)
