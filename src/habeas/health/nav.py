from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Health"), url_name="health:awaiting", capability=Capability.VIEW_ROLL, order=70
    ),
]

# Only health staff read the record itself; the link is shown to them alone.
PERSON_LINKS = [
    NavItem(
        label=_("Health record"),
        url_name="health:person",
        capability=Capability.VIEW_HEALTH,
        order=70,
    ),
]
