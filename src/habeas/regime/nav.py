from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(label=_("Regime"), url_name="regime:day", capability=Capability.VIEW_ROLL, order=40),
    NavItem(
        label=_("Contact"), url_name="regime:contact", capability=Capability.VIEW_ROLL, order=45
    ),
]

PERSON_LINKS = [
    NavItem(
        label=_("Daily life"),
        url_name="regime:person",
        capability=Capability.VIEW_PERSON,
        order=40,
    ),
]
