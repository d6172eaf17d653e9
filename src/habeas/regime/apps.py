from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegimeConfig(AppConfig):
    name = "habeas.regime"
    label = "regime"
    verbose_name = _("Regime")
