from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import Capability
from habeas.core.context import NavItem

NAV = [
    NavItem(
        label=_("Deadlines"),
        url_name="sentencing:deadlines",
        capability=Capability.VIEW_DEADLINES,
        order=30,
    ),
    NavItem(
        label=_("What-if"),
        url_name="sentencing:what_if",
        capability=Capability.MANAGE_SENTENCES,
        facility=False,
        order=35,
    ),
    NavItem(
        label=_("Law"),
        url_name="sentencing:profiles",
        capability=Capability.EDIT_LEGAL_PROFILES,
        facility=False,
        order=90,
    ),
]

# The person record's tab: sentences, release date and its explanation.
PERSON_LINKS = [
    NavItem(
        label=_("Sentences and release"),
        url_name="sentencing:person",
        capability=Capability.VIEW_DEADLINES,
        order=30,
    ),
]
