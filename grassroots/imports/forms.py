"""The upload forms of the import pages: the extension, the size and the first bytes are checked before the
file reaches the import (which checks the content itself in full). Each page subclasses one of these."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.forms import Form
from grassroots.sheets import ImportFileError, sniff_xlsx


class UploadForm(Form):
    """An upload checked before any import reads it; a subclass names its kind (the registered import kind
    the page previews it as), its extensions, its size limit and what to look for in the first bytes."""

    extensions: tuple[str, ...] = ()
    kind: str = ""
    wrong_type = _("Upload a %(types)s file; %(name)s has another type.")
    too_large = _("The file has %(size).1f MB; at most %(max).0f MB are accepted. Split it by township.")

    file = forms.FileField(label=_("File"))

    def max_bytes(self) -> int:
        raise NotImplementedError

    def sniff(self, head: bytes, file) -> None:
        raise NotImplementedError

    def clean_file(self):
        file = self.cleaned_data["file"]
        name = (file.name or "").lower()
        if not name.endswith(self.extensions):
            raise forms.ValidationError(
                self.wrong_type % {"types": " / ".join(self.extensions), "name": file.name}
            )
        if file.size > self.max_bytes():
            raise forms.ValidationError(
                self.too_large % {"size": file.size / 1024 / 1024, "max": self.max_bytes() / 1024 / 1024}
            )
        file.seek(0)
        head = file.read(4096)
        file.seek(0)
        if not head:
            raise forms.ValidationError(_("The file is empty."))
        self.sniff(head, file)
        return file


class XlsxUploadForm(UploadForm):
    """An Excel workbook: not an old .xls, not a zip bomb, a workbook inside (``sheets.sniff_xlsx``)."""

    extensions = (".xlsx",)

    def sniff(self, head: bytes, file) -> None:
        try:
            sniff_xlsx(file.read())
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        finally:
            file.seek(0)
