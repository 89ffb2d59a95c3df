"""Text that comes in: the one rule for every text input of every page and API operation.

Refused, with an error that names the field: the C0 control characters (U+0000–U+001F) except tab and
newline, DEL and the C1 controls (U+007F–U+009F, which include the 8-bit escape sequence introducer), and the
bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), which make a text read
differently from how it is stored (a file name ``invoice\u202egpj.exe`` shows as ``invoiceexe.jpg``).
A carriage return is accepted only before a newline (browsers send CR LF) and stored as a newline.

Where it is applied — once, for everything:
- page forms: every form of the project derives from ``grassroots.forms`` (``Form``, ``ModelForm`` or
  ``CheckedTextMixin``), which gives each text field :class:`ControlCharacterValidator`;
- the JSON API: ``grassroots.api.api`` checks every path, query, form and JSON value of every operation with
  :func:`check_tree` before the operation runs (422 ``control_characters``).
``tests/test_text_input.py`` enumerates every form and every API operation and proves each text field refused.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


class ControlCharacters(ValueError):
    """A text input holds a character that is refused; ``field`` names the input, ``char`` the character."""

    code = "control_characters"

    def __init__(self, field: str, char: str):
        self.field, self.char = field, char
        super().__init__(self.message)

    @property
    def character(self) -> str:
        """The character as people can read it: ``U+202E RIGHT-TO-LEFT OVERRIDE``."""
        name = unicodedata.name(self.char, "") or _CONTROL_NAMES.get(self.char, gettext("control character"))
        return f"U+{ord(self.char):04X} {name}"

    @property
    def message(self) -> str:
        return gettext(
            "“%(field)s” contains an invisible control character (%(character)s) that is not accepted; "
            "remove it (retype the text rather than paste it) and send again."
        ) % {"field": self.field, "character": self.character}


_CONTROL_NAMES = {"\x00": "NULL", "\x1b": "ESCAPE", "\r": "CARRIAGE RETURN", "\x7f": "DELETE"}


def forbidden_character(text: str) -> str | None:
    """The first refused character of ``text``, or None."""
    found = _FORBIDDEN.search(text)
    return found.group()[:1] if found else None


def check_text(text: str, *, field: str) -> str:
    """``text`` with CR LF as LF, or :class:`ControlCharacters` naming ``field``."""
    char = forbidden_character(text)
    if char is not None:
        raise ControlCharacters(field, char)
    return text.replace("\r\n", "\n")


def check_tree(value, *, field: str = ""):
    """Every text in ``value`` (a str, or lists and dicts of them as JSON and forms give, keys included)
    checked; the first refused one raises :class:`ControlCharacters` naming its path (``rows[2].reason``)."""
    if isinstance(value, str):
        return check_text(value, field=field)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            if isinstance(key, str):
                check_text(key, field=path)
            out[key] = check_tree(item, field=path)
        return out
    if isinstance(value, list | tuple):
        return [check_tree(item, field=f"{field}[{i}]") for i, item in enumerate(value)]
    return value


@deconstructible
class ControlCharacterValidator:
    """The rule for a form field: a ``ValidationError`` naming the field (its label) and the character."""

    code = ControlCharacters.code

    def __init__(self, label=None):
        self.label = label

    def __call__(self, value):
        if not isinstance(value, str):
            return
        char = forbidden_character(value)
        if char is not None:
            error = ControlCharacters(str(self.label or _("This field")), char)
            raise ValidationError(error.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, ControlCharacterValidator) and self.label == other.label
