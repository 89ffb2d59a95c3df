"""Upload forms of the import page: the extension, the size and the first bytes are checked before
the file reaches the import (which checks the content itself in full)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.forms import Form
from grassroots.sheets import ImportFileError, sniff_xlsx

from .models import ImportRun
from .services.boundary_file import boundaries_max_bytes
from .tree_workbook import tree_max_bytes


class UploadForm(Form):
    """An upload checked before any import reads it; a subclass names its extensions, its size limit and
    what to look for in the first bytes (other apps' import pages subclass it too)."""

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


class TreeUploadForm(UploadForm):
    kind = ImportRun.Kind.TREE
    extensions = (".xlsx",)

    def max_bytes(self) -> int:
        return tree_max_bytes()

    def sniff(self, head: bytes, file) -> None:
        try:
            if head.startswith(b"PK\x03\x04"):
                sniff_xlsx(file.read())  # a zip: look inside for the workbook
                file.seek(0)
            else:
                sniff_xlsx(head)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None


class BoundaryUploadForm(UploadForm):
    kind = ImportRun.Kind.BOUNDARIES
    extensions = (".geojson", ".json")

    def max_bytes(self) -> int:
        return boundaries_max_bytes()

    def sniff(self, head: bytes, file) -> None:
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not text.startswith(b"{"):
            raise forms.ValidationError(
                _("This is no GeoJSON file: GeoJSON is text that starts with {. Export the grids as GeoJSON.")
            )


UPLOAD_FORMS = {ImportRun.Kind.TREE: TreeUploadForm, ImportRun.Kind.BOUNDARIES: BoundaryUploadForm}
