"""Callback surveys (回访): each call, kept as made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.appendonly import AppendOnlyModel


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("reached")  # 回访成功: the reporter answered
    NOT_REACHED = "not_reached", _("not reached")  # 未接通 / 无人接听


class CallbackAttempt(AppendOnlyModel):
    """One attempt at a callback survey (回访) of a closed case: who called, when, and whether the reporter was
    reached. Never edited (the database refuses UPDATE): each further try is a new row. A reached attempt
    points at the rating it took down (a :class:`CaseRating` of channel ``callback``), which the figures count.

    ``round`` is the case's closure round when called (a reopened and closed case is called back again);
    ``area_code`` the case's area then (scoping and the desk's list read it).
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="callback_attempts", verbose_name=_("case")
    )
    round = models.PositiveSmallIntegerField(_("closure round"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallbackOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by")
    )
    called_by_name = models.CharField(_("by"), max_length=150, blank=True)
    called_at = models.DateTimeField(_("called at"))
    area_code = models.CharField(_("area code"), max_length=15)
    rating = models.OneToOneField(
        "cases.CaseRating",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="callback_attempt",
        verbose_name=_("rating taken down"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["case", "called_at", "id"]
        indexes = [models.Index(fields=["case", "round"], name="case_callback_round")]
        constraints = [
            models.UniqueConstraint(
                fields=["called_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_callback_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(outcome=CallbackOutcome.REACHED) | Q(rating__isnull=True),
                name="case_callback_rating_only_when_reached",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} #{self.round} {self.outcome} {self.called_at:%Y-%m-%d %H:%M}"
