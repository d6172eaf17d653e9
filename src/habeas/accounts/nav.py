from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Users"),
        url_name="accounts:users",
        capability=Capability.MANAGE_USERS,
        facility=False,
        order=90,
    ),
]
