from django.db import models
from django.utils.translation import gettext_lazy as _

from . import kinds


class ImportRun(models.Model):
    """One uploaded file of an import page: checked in a dry run (the preview), then imported when the same
    person confirms. The file is kept until then (and for at most a day) so that the confirmation imports
    exactly the bytes that were previewed; the report stays as a record.

    Every such page shares this one table: the kind says which import a run belongs to. Its choices are
    open — every kind registered in :mod:`grassroots.imports.kinds` by the apps that import files (areas:
    tree and boundaries; workforce: roster; cases: hotline). The table keeps the name it had in the areas
    app, where the mechanism began."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed, waiting for confirmation")
        REFUSED = "refused", _("refused: the file has errors")
        IMPORTED = "imported", _("imported")
        EXPIRED = "expired", _("expired without confirmation")

    kind = models.CharField(_("kind"), max_length=kinds.KIND_MAX_LENGTH, choices=kinds.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField(_("file size"))
    content = models.BinaryField(editable=False, default=b"")
    report = models.JSONField(_("report"), default=dict)
    created_at = models.DateTimeField(_("uploaded at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "areas_importrun"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.area_code} {self.created_at:%Y-%m-%d %H:%M}"

    def awaits_confirmation_by(self, user) -> bool:
        """Whether ``user`` may confirm this run now: a preview without errors, by the one who uploaded it."""
        return self.status == self.Status.PREVIEWED and self.actor_id == user.pk
