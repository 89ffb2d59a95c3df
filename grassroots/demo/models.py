"""What the demo generator has built on this database (so that ``demo_load`` runs each step once)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoadedStep(models.Model):
    name = models.CharField(_("step"), max_length=64, unique=True)
    scale = models.CharField(_("scale"), max_length=16)
    seed = models.BigIntegerField(_("seed"))
    counts = models.JSONField(_("counts"), default=dict)
    seconds = models.FloatField(_("seconds"))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loaded demo step")
        verbose_name_plural = _("loaded demo steps")
        ordering = ["loaded_at", "id"]

    def __str__(self):
        return f"{self.name} ({self.scale}, seed {self.seed})"
