"""What a person keeps of their own in cases: their saved queue views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedQueueView(models.Model):
    """A person's named set of queue filters (e.g. "overdue in my village"), one tap from the queue page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_queue_views",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=40)
    query = models.CharField(_("filters"), max_length=500)  # the queue's query string, without paging
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved queue view")
        verbose_name_plural = _("saved queue views")
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_queue_view_unique_name")]

    def __str__(self):
        return self.name
