"""What the system writes for people to read later, kept as a message and its values, and put into words in the
reader's language when it is read.

A :class:`Message` is a source string (the msgid: the English text of a ``gettext_lazy``, which is how
makemessages finds it) with named values. A value is a proper name or a number (kept as it is), or itself
translatable (a lazy string, such as a choice's label, or another :class:`Message`), which is stored as its
msgid and translated when the message is, or a name entered in several languages (:class:`Names`), shown in the
reader's. ``str(message)`` and :meth:`Message.text` give the words in the
active language; :meth:`Message.as_data` / :meth:`Message.from_data` keep it in a JSON field.

    note = Message(gettext_lazy("Report %(reference)s: %(what)s"), reference=case.reference, what=State(s).label)
    notify(recipients=..., title=note)          # the inbox shows it in each reader's language

Strings with a context (``pgettext``) are kept without it; use them for values only where the plain msgid
translates the same way.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise

SOURCE_LANGUAGE = "en"  # msgids are English: rendering in English gives them back unchanged


def msgid_of(value) -> str:
    """The source string of a lazy translation (what it is before translation)."""
    with translation.override(SOURCE_LANGUAGE):
        return str(value)


class Message:
    """A translatable sentence and its values (see the module's doc)."""

    __slots__ = ("msgid", "values")

    def __init__(self, text, **values: Any):
        self.msgid = msgid_of(text) if isinstance(text, Promise) else str(text)
        self.values = {name: _kept(value) for name, value in values.items()}

    def text(self) -> str:
        """The words in the active language."""
        words = translation.gettext(self.msgid)
        if not self.values:
            return words
        return words % {name: _shown(value) for name, value in self.values.items()}

    __str__ = text

    def in_language(self, language: str) -> str:
        with translation.override(language):
            return self.text()

    def as_data(self) -> dict:
        return {"msgid": self.msgid, "values": self.values}

    @classmethod
    def from_data(cls, data: dict) -> Message:
        message = cls.__new__(cls)
        message.msgid = str(data.get("msgid", ""))
        message.values = dict(data.get("values") or {})
        return message

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and self.as_data() == other.as_data()

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.values!r})"


class Names:
    """A proper name entered in several languages (a service type's): kept with each, shown in the reader's
    language where it has one, else as first entered. ``Names("市容环境", en="City appearance")``."""

    __slots__ = ("name", "others")

    def __init__(self, name: str, **others: str):
        self.name = str(name)
        self.others = {language: str(text) for language, text in others.items() if text}

    def text(self) -> str:
        language = (translation.get_language() or "").split("-")[0]
        return self.others.get(language) or self.name

    __str__ = text


def _kept(value):
    """A value as stored: translatable ones by their msgid (to translate when read), the rest as they are."""
    if isinstance(value, Message):
        return {"message": value.as_data()}
    if isinstance(value, Names):
        return {"names": {"": value.name, **value.others}}
    if isinstance(value, Promise):
        return {"msgid": msgid_of(value)}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def _shown(value):
    if isinstance(value, dict) and "message" in value:
        return Message.from_data(value["message"]).text()
    if isinstance(value, dict) and "msgid" in value:
        return translation.gettext(value["msgid"])
    if isinstance(value, dict) and "names" in value:
        names = dict(value["names"])
        return Names(names.pop("", ""), **names).text()
    return value


def words(value) -> str:
    """Plain text of a message or of any other value (a lazy string, a str)."""
    return value.text() if isinstance(value, Message) else str(value)
