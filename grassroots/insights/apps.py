from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "grassroots.insights"
    verbose_name = _("insights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every timeline row the cases app writes schedules, on commit, the refresh of the figures of the
        # case's day of report (and of the event's own day, where a rating counts).
        from grassroots.cases import events

        from .services import facts_schedule_for_event

        events.on_record(facts_schedule_for_event)
