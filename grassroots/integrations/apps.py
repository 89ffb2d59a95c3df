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

        # Each process keeps which kinds of event anyone subscribed to; every saved or deleted subscription
        # moves the version it is keyed by.
        from django.db.models.signals import post_delete, post_save

        from .models import WebhookSubscription

        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                webhooks.subscriptions_changed,
                sender=WebhookSubscription,
                dispatch_uid=f"integrations-subscriptions-{name}",
            )
