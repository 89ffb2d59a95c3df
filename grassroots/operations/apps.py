from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the platform: the periodic jobs and their locks, health and readiness, metrics, request logs."""

    name = "grassroots.operations"
    verbose_name = _("operations")
    default_auto_field = "django.db.models.BigAutoField"
