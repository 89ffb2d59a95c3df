from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "grassroots.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation: committees, topics, votes and signatures")

    def ready(self):
        # Photos of paper sign-in sheets: where photos.store writes them, and the orphan purge looks.
        from grassroots import photos

        photos.folder_register("deliberation/meetings")
        photos.folder_register("deliberation/tallies")
