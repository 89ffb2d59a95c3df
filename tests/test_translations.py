"""The Chinese catalogues: complete, not fuzzy, placeholders kept, compiled, and Chinese is what a visitor sees by default.

Every catalogue under ``grassroots/**/locale/zh_Hans`` is read with a small parser (no extra dependency) and compared
with its compiled ``.mo`` through the standard library's ``gettext``, so a catalogue edited but not compiled fails.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ROOT = Path(settings.BASE_DIR) / "grassroots"
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
# Finished apps and the project level; the other apps add theirs as they finish.
REQUIRED = ["accounts", "areas", "notifications", "api", "demo", "locale"]
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete ``#~`` entries left out); the header is the entry with msgid ''."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None

    def finish():
        nonlocal entry, key
        if entry.line:
            entries.append(entry)
        entry, key = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if entry.line and key is not None:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, f"{path}:{number}: a continuation line without a keyword"
            text = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry.msgstr[key[1]] += text
            else:
                setattr(entry, key[0], getattr(entry, key[0]) + text)
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            entry.line = entry.line or number
            match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
            if match:
                index = int(match.group(1) or 0)
                entry.msgstr[index] = text
                key = ("msgstr", index)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, text)
                key = (keyword, 0)
            else:
                raise AssertionError(f"{path}:{number}: unknown line {raw!r}")
    finish()
    return entries


def messages(path: Path) -> list[Entry]:
    return [entry for entry in parse_po(path) if entry.msgid]


def label(path: Path) -> str:
    return str(path.relative_to(ROOT).parents[2])


def test_every_finished_app_and_the_project_have_a_catalogue():
    assert set(REQUIRED) <= {label(path).split("/")[0] for path in CATALOGUES}


def test_the_parser_sees_flags_plurals_and_continuation_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "a %(n)s"\nmsgstr ""\n"甲 %(n)s"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\n\n'
        '#~ msgid "old"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    first, second = messages(po)
    assert (first.msgid, first.msgstr, first.flags) == (
        "a %(n)s",
        {0: "甲 %(n)s"},
        {"fuzzy", "python-format"},
    )
    assert (second.msgid_plural, second.msgstr, second.flags) == ("many", {0: ""}, set())


@pytest.mark.parametrize("path", CATALOGUES, ids=label)
def test_no_message_is_left_empty_or_fuzzy(path):
    entries = parse_po(path)
    header = next(entry for entry in entries if not entry.msgid)
    assert "fuzzy" not in header.flags, f"{path}: the header is still marked fuzzy"
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    empty = [(entry.line, entry.msgid) for entry in messages(path) if not all(entry.msgstr.values())]
    fuzzy = [(entry.line, entry.msgid) for entry in messages(path) if "fuzzy" in entry.flags]
    assert empty == [], f"{path}: untranslated"
    assert fuzzy == [], f"{path}: fuzzy"


@pytest.mark.parametrize("path", CATALOGUES, ids=label)
def test_translations_keep_every_placeholder(path):
    wrong = []
    for entry in messages(path):
        if "python-format" not in entry.flags:
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((entry.line, entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=label)
def test_the_compiled_catalogue_matches_the_source(path):
    with path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages(path):
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            got = compiled._catalog.get(msgid)
        else:
            got = compiled._catalog.get((msgid, 0))
        if got != entry.msgstr[0]:
            stale.append(entry.msgid)
    assert stale == [], f"{path}: run compilemessages"


def test_chinese_is_the_default_language_and_uses_the_glossary():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override(settings.LANGUAGE_CODE):
        assert _("grid worker") == "网格员"
        assert _("role grant") == "角色授权"
        assert _("audit log") == "审计日志"
        assert _("Areas and grids") == "区划和网格"
        assert _("village group") == "村民小组"
        assert _("banner") == "旗"
        assert _("gacha") == "嘎查"
        assert _("sumu") == "苏木"
        assert _("league") == "盟"
        assert _("rural / pastoral grid") == "农牧区网格"
        assert ngettext("and %(n)s more error", "and %(n)s more errors", 3) % {"n": 3} == "另有 3 个错误"
    with translation.override("en"):
        assert _("grid worker") == "grid worker"


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "登录" in chinese and "手机号码或用户名" in chinese and "基层治理" in chinese
    assert "Log in" not in chinese
    assert '<html lang="en">' in english
    assert "Log in" in english and "登录" not in english


def test_one_message_has_one_translation_across_the_catalogues():
    """Django merges every app's catalogue into one, and the first app in INSTALLED_APPS wins: a short word
    that means two things ("parent": 父母 of a resident, 上级 of a service type) must carry a context
    (pgettext), or one app's pages show the other's word. Synonyms are kept to one translation."""
    seen: dict[tuple[str | None, str], dict[str, list[str]]] = {}
    for path in CATALOGUES:
        for entry in messages(path):
            seen.setdefault((entry.msgctxt, entry.msgid), {}).setdefault(entry.msgstr[0], []).append(
                label(path)
            )
    clashes = {key: found for key, found in seen.items() if len(found) > 1}
    assert clashes == {}, "give these a context (pgettext) or one translation:\n" + "\n".join(
        f"  {key}: {found}" for key, found in sorted(clashes.items(), key=str)
    )


APP_CATALOGUES = [path for path in CATALOGUES if path.parents[3] != ROOT]


@pytest.mark.parametrize("path", APP_CATALOGUES, ids=label)
def test_each_app_catalogue_holds_every_string_its_source_marks(path, tmp_path):
    """Extract the app's strings afresh (``makemessages`` on a copy of the app) and compare: a string marked
    for translation but never extracted is shown in English whatever the language, and the checks above
    cannot see it."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian package gettext) is needed to check the catalogues under CI")
        pytest.skip("xgettext (Debian package gettext) is not installed")
    app = path.parents[3]
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    subprocess.run(  # noqa: S603 - Django's own command on a copy of our app
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location",
         "--settings=grassroots.settings", f"--pythonpath={ROOT.parent}"],
        cwd=copy, check=True, capture_output=True,
    )  # fmt: skip
    fresh = messages(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    untranslated = sorted(
        (entry.msgctxt or "", entry.msgid) for entry in fresh if not all(entry.msgstr.values())
    )
    assert untranslated == [], f"{path}: strings in the source that the catalogue lacks; run makemessages"
