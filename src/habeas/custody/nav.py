from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("People"), url_name="custody:people", capability=Capability.VIEW_PERSON, order=20
    ),
    NavItem(label=_("Intake"), url_name="custody:intake", capability=Capability.ADMIT, order=25),
]
