"""Upload forms of the import page (the imports app's checks before any import reads the file: the extension,
the size, the first bytes)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.imports.forms import UploadForm, XlsxUploadForm

from .models import AreaImport
from .services.boundary_file import boundaries_max_bytes
from .tree_workbook import tree_max_bytes


class TreeUploadForm(XlsxUploadForm):
    kind = AreaImport.TREE

    def max_bytes(self) -> int:
        return tree_max_bytes()


class BoundaryUploadForm(UploadForm):
    kind = AreaImport.BOUNDARIES
    extensions = (".geojson", ".json")

    def max_bytes(self) -> int:
        return boundaries_max_bytes()

    def sniff(self, head: bytes, file) -> None:
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not text.startswith(b"{"):
            raise forms.ValidationError(
                _("This is no GeoJSON file: GeoJSON is text that starts with {. Export the grids as GeoJSON.")
            )


UPLOAD_FORMS = {AreaImport.TREE: TreeUploadForm, AreaImport.BOUNDARIES: BoundaryUploadForm}
