from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "grassroots.workforce"
    verbose_name = _("Grid workers")

    def ready(self):
        # The roster page's uploads use the imports app's preview-then-confirm imports.
        from .services import roster

        roster.register_import_kind()
        # The header leads party members to their check-in; whether one is, is read once at login.
        from django.contrib.auth.signals import user_logged_in

        from . import navigation

        user_logged_in.connect(navigation.remember_membership, dispatch_uid="workforce-party-member-nav")

        # Activity photos are served to those who may see the team or council.
        from grassroots import photos
        from grassroots.media import media_reader_register

        from .selectors import activity_photo_readable_by

        media_reader_register("workforce/activities", activity_photo_readable_by)
        photos.folder_register("workforce/activities")  # where photos.store writes them, and the purge looks
