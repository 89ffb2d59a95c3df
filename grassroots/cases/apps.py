from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "grassroots.cases"
    verbose_name = _("Cases")

    def ready(self):
        # Fill the extension points of the apps below cases (register need handler, panels, workload).
        from . import integrations

        integrations.install()
