"""Project-wide test switches: the second-factor policy (issue #8) and the roll board's reuse.

The second-factor policy:

Production requires a TOTP second factor of governors, administrators and inspectors
(``HABEAS_SECOND_FACTOR_ROLES``). Most tests sign staff in with ``client.force_login`` or the
password form to test something else; for them the policy is empty, as if no role required it.
Tests of the second factor itself are marked ``second_factor`` and run under the production
policy (tests/accounts/test_second_factor.py, tests/browser/test_second_factor.py).
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "second_factor: runs under the production second-factor policy"
    )


@pytest.fixture(autouse=True)
def _second_factor_policy(request: pytest.FixtureRequest) -> Any:
    if request.node.get_closest_marker("second_factor") is not None:
        yield
        return
    from django.conf import settings

    saved = settings.HABEAS_SECOND_FACTOR_ROLES
    settings.HABEAS_SECOND_FACTOR_ROLES = []
    yield
    settings.HABEAS_SECOND_FACTOR_ROLES = saved


@pytest.fixture(autouse=True)
def _roll_board_computed_on_every_request() -> Any:
    """The roll board's pages reuse a roll for a few seconds (``HABEAS_ROLL_BOARD_SECONDS``); tests
    that change the roll and then read the board see it at once. The reuse itself is tested in
    tests/housing/test_views.py with the setting back on."""
    from django.conf import settings

    saved = settings.HABEAS_ROLL_BOARD_SECONDS
    settings.HABEAS_ROLL_BOARD_SECONDS = 0
    yield
    settings.HABEAS_ROLL_BOARD_SECONDS = saved
