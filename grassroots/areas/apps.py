from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "grassroots.areas"
    verbose_name = _("Areas and grids")

    def ready(self):
        # The areas app's own kinds of page import (the imports app's preview-then-confirm).
        from .services import page_imports

        page_imports.register_import_kinds()
