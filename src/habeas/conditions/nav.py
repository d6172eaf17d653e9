from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Conditions"), url_name="conditions:day", capability=Capability.VIEW_ROLL, order=50
    ),
]
