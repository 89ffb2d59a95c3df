from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "grassroots.areas"
    verbose_name = _("Areas and grids")

    def ready(self):
        # The areas app's own kinds of page import (higher apps register theirs from their ready()).
        from .services import import_runs

        import_runs.register_area_kinds()
