"""The space standards Habeas knows out of the box (shared/domain/standards.md, W-01 and W-03).
They are data: an administrator can add others through the estate file."""

from __future__ import annotations

from decimal import Decimal

BUILT_IN: dict[str, dict[str, object]] = {
    "icrc": {
        "name": "ICRC (2012): 3.4 m² per person in a shared cell, 5.4 m² in a single cell",
        "shared_m2_per_person": Decimal("3.40"),
        "single_m2": Decimal("5.40"),
        "source": "ICRC, Water, sanitation, hygiene and habitat in prisons: supplementary "
        "guidance (2012).",
    },
    "cpt": {
        "name": "CPT (2015): 4 m² per person in a shared cell, 6 m² in a single cell",
        "shared_m2_per_person": Decimal("4.00"),
        "single_m2": Decimal("6.00"),
        "source": "CPT/Inf (2015) 44, Living space per prisoner.",
    },
}
