from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "grassroots.worktime"
    verbose_name = _("Working time")

    def ready(self):
        # A per-process copy of the calendar follows every change to it (and so does the cases' copy of their
        # service types: one version row for both).
        from django.db.models.signals import post_delete, post_save

        from . import reference
        from .models import CalendarYear, WorkingDay

        for model in (WorkingDay, CalendarYear):
            for signal in (post_save, post_delete):
                signal.connect(
                    reference.changed, sender=model, dispatch_uid=f"worktime-reference-{model.__name__}"
                )
