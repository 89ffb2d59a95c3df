"""Forms of the workforce pages: the roster upload checks the file's type, size and first bytes before the
import reads it (which checks the content itself, row by row)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.areas.spreadsheets import ImportFileError, sniff_xlsx

from .services.roster import roster_max_bytes


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster workbook (.xlsx)"))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not (file.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("Upload an Excel workbook (.xlsx); %(name)s has another type.") % {"name": file.name}
            )
        limit = roster_max_bytes()
        if file.size > limit:
            raise forms.ValidationError(
                _("The file has %(size).1f MB; a roster may have at most %(max).1f MB. Split it by village.")
                % {"size": file.size / 1024 / 1024, "max": limit / 1024 / 1024}
            )
        if not file.size:
            raise forms.ValidationError(_("The file is empty."))
        file.seek(0)
        try:
            sniff_xlsx(file.read())
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        file.seek(0)
        return file
