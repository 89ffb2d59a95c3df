"""Mongolian pages never show Cyrillic.

Django knows Mongolian only in the Cyrillic script (``mn``), and gettext falls back from our ``mn_Mong`` to ``mn``:
without more, a Mongolian page would show Django's Cyrillic words wherever Django or one of its contrib apps has a
message (a form's "This field is required.", and every msgid of ours that Django's apps also define, since the
first app in INSTALLED_APPS wins). :func:`overrides` lists every message of those Cyrillic catalogues with what a
Mongolian page shows instead: our own traditional-script translation where a catalogue of ours has one, else
:data:`DJANGO_WORDS`, else the English msgid (as for any message not yet translated into Mongolian).
``scripts/mongolian-overrides`` writes them into ``grassroots/locale_mn`` (second in LOCALE_PATHS, above every
app's catalogue); ``tests/test_translations.py`` checks that the file is current and that no Cyrillic is left.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

OVERRIDES = Path(settings.BASE_DIR) / "grassroots" / "locale_mn" / "mn_Mong" / "LC_MESSAGES" / "django.po"
REVIEW = "needs review by a native speaker"

# Django's own messages that residents meet on Mongolian pages (form errors), in the traditional script.
# Every one awaits a native speaker's review; the comment says how it reads.
DJANGO_WORDS = {
    # ene talbar-i bögülekü kereg-tei.
    "This field is required.": "ᠡᠨᠡ ᠲᠠᠯᠪᠠᠷ\u202fᠢ ᠪᠦᠭᠦᠯᠡᠬᠦ ᠬᠡᠷᠡᠭ\u202fᠲᠡᠢ᠃",
    # jöb toγ|a bičigtün.
    "Enter a whole number.": "ᠵᠥᠪ ᠲᠣᠭ᠎ᠠ ᠪᠢᠴᠢᠭᠲᠦᠨ᠃",
    # jöb toγ|a bičigtün.
    "Enter a number.": "ᠵᠥᠪ ᠲᠣᠭ᠎ᠠ ᠪᠢᠴᠢᠭᠲᠦᠨ᠃",
    # ǰaγsaγalt-ača jöb songγoltu songγ|a.
    "Select a valid choice. %(value)s is not one of the available choices.": (
        "ᠵᠠᠭᠰᠠᠭᠠᠯᠲ\u202fᠠᠴᠠ ᠵᠥᠪ ᠰᠣᠩᠭᠣᠯᠲᠤ ᠰᠣᠩᠭ᠎ᠠ᠃ %(value)s ᠵᠠᠭᠰᠠᠭᠠᠯᠲ\u202fᠤᠨ ᠳᠣᠲᠣᠷ᠎ᠠ ᠦᠭᠡᠢ᠃"
    ),
    # γar utasun-u dugaar buyu ner|e
    "Username": "ᠬᠡᠷᠡᠭᠯᠡᠭᠴᠢ\u202fᠶᠢᠨ ᠨᠡᠷ᠎ᠡ",
    # niγuča üge
    "Password": "ᠨᠢᠭᠤᠴᠠ ᠦᠭᠡ",
}


@dataclass(frozen=True)
class Override:
    context: str | None
    msgid: str
    msgid_plural: str | None
    msgstr: tuple[str, ...]
    reads: str  # "ours", "django words" or "english"


def _mo_entries(path: Path) -> list[tuple[str, str]]:
    """(key, value) of every entry of a compiled catalogue, keys with their context (``\\x04``) and plural
    (``\\x00``) as the file has them (Python's gettext drops the plural msgid)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    entries = []
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[translations + 8 * i : translations + 8 * i + 8])
        key = data[ooff : ooff + olen].decode("utf-8")
        if key:  # the header
            entries.append((key, data[toff : toff + tlen].decode("utf-8")))
    return entries


def cyrillic_catalogues() -> list[Path]:
    """Django's and the installed apps' compiled ``mn`` catalogues, which gettext falls back to."""
    roots = [Path(django.__file__).parent / "conf"] + [Path(app.path) for app in apps.get_app_configs()]
    return [p for root in roots if (p := root / "locale" / "mn" / "LC_MESSAGES" / "django.mo").exists()]


def _ours() -> dict[str, str]:
    """Our traditional-script translations, keyed as in a compiled catalogue (plural forms joined by NUL)."""
    found: dict[str, str] = {}
    for path in sorted(
        (Path(settings.BASE_DIR) / "grassroots").glob("**/locale/mn_Mong/LC_MESSAGES/django.mo")
    ):
        for key, value in _mo_entries(path):
            found.setdefault(key, value)
    return found


def overrides() -> list[Override]:
    ours = _ours()
    out = {}
    for path in cyrillic_catalogues():
        for key, _cyrillic in _mo_entries(path):
            context, _sep, rest = key.rpartition("\x04") if "\x04" in key else (None, "", key)
            msgid, _nul, plural = rest.partition("\x00")
            if key in ours:
                msgstr, reads = tuple(ours[key].split("\x00")), "ours"
            elif not plural and msgid in DJANGO_WORDS:
                msgstr, reads = (DJANGO_WORDS[msgid],), "django words"
            else:
                msgstr, reads = ((msgid, plural) if plural else (msgid,)), "english"
            out[key] = Override(context or None, msgid, plural or None, msgstr, reads)
    return [out[key] for key in sorted(out)]


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def overrides_po() -> str:
    lines = [
        "# Mongolian (traditional script) in place of Django's Cyrillic Mongolian (grassroots/mongolian.py).",
        "# Written by scripts/mongolian-overrides: do not edit; translate in the apps' catalogues or in",
        "# grassroots/mongolian.py's DJANGO_WORDS, then run the script and compilemessages.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Language: mn_Mong\\n"',
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        "",
    ]
    for entry in overrides():
        if entry.reads != "english":
            lines.append(f"# {REVIEW}")
        if entry.context is not None:
            lines.append(f"msgctxt {_quoted(entry.context)}")
        lines.append(f"msgid {_quoted(entry.msgid)}")
        if entry.msgid_plural is not None:
            lines.append(f"msgid_plural {_quoted(entry.msgid_plural)}")
            forms = entry.msgstr if len(entry.msgstr) > 1 else entry.msgstr * 2
            lines.extend(f"msgstr[{i}] {_quoted(text)}" for i, text in enumerate(forms[:2]))
        else:
            lines.append(f"msgstr {_quoted(entry.msgstr[0])}")
        lines.append("")
    return "\n".join(lines)
