from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "grassroots.people"
    label = "people"
    verbose_name = _("Registry: households and people")

    def ready(self):
        # Visit photos (photos of homes) are served to those whose scope holds the household, to nobody else.
        from grassroots import photos
        from grassroots.media import media_reader_register

        from .selectors import visit_photo_readable_by

        media_reader_register("people/visits", visit_photo_readable_by)
        photos.folder_register("people/visits")  # where photos.store writes them, and the orphan purge looks
