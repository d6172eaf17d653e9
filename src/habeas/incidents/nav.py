from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Incidents"), url_name="incidents:list", capability=Capability.VIEW_ROLL, order=60
    ),
]
