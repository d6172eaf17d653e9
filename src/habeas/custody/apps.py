from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustodyConfig(AppConfig):
    name = "habeas.custody"
    label = "custody"
    verbose_name = _("Custody")
