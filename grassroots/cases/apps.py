from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "grassroots.cases"
    verbose_name = _("Cases")

    def ready(self):
        # Fill the extension points of the apps below cases (register need handler, panels, workload).
        from . import integrations

        integrations.install()
        from .services import callbacks

        callbacks.install()  # the register's audited reveal shows a case reporter's phone for a callback
        from .services import hotline

        hotline.register_import_kind()  # the hotline's daily sheet: the imports app's preview-then-confirm import

        # Case photos are served from MEDIA_URL to whoever may see the case, to nobody else.
        from grassroots import photos
        from grassroots.media import media_reader_register

        from .selectors import photo_readable_by

        media_reader_register("cases", photo_readable_by)
        photos.folder_register("cases")  # where photos.store writes them, and the orphan purge looks
        # A per-process copy of the service types and limits follows every change to them (the calendar's:
        # worktime's apps.ready).
        from django.db.models.signals import post_delete, post_save

        from . import reference
        from .models import Category, CategoryLimit

        for model in (Category, CategoryLimit):
            for signal in (post_save, post_delete):
                signal.connect(
                    reference.changed, sender=model, dispatch_uid=f"cases-reference-{model.__name__}"
                )
