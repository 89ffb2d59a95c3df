from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "grassroots.integrations"
    verbose_name = _("integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Webhooks follow the timelines of cases, notices and topics through their writers' listeners, so
        # that none of those apps names this one.
        from grassroots.cases import events
        from grassroots.deliberation import timeline
        from grassroots.disclosure import lifecycle

        from .services import webhooks

        events.on_record(webhooks.case_event_recorded)
        lifecycle.on_record(webhooks.notice_event_recorded)
        timeline.on_record(webhooks.topic_event_recorded)
