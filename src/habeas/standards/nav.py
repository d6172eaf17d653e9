from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Standards"),
        url_name="standards:dashboard",
        capability=Capability.VIEW_STANDARDS,
        order=80,
    ),
]

# The person record's tab of findings (``/people/<id>/findings/``).
PERSON_LINKS = [
    NavItem(
        label=_("Findings"),
        url_name="standards:person",
        capability=Capability.VIEW_STANDARDS,
        order=80,
    ),
]
