from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Health"), url_name="health:awaiting", capability=Capability.VIEW_ROLL, order=70
    ),
]
