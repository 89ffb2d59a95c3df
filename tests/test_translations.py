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


# One process extracts every app's strings (Django started once, not once per app): makemessages in each copy.
EXTRACT_EACH = """
import os, sys, django
django.setup()
from django.core.management import call_command
for folder in sys.argv[1:]:
    os.chdir(folder)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, no_location=True, verbosity=0)
"""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[Path, Path]:
    """Each app catalogue's strings extracted afresh: ``makemessages`` on a copy of its app (where it writes
    the fresh catalogue), for every app at once."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian package gettext) is needed to check the catalogues under CI")
        pytest.skip("xgettext (Debian package gettext) is not installed")
    root = tmp_path_factory.mktemp("extracted")
    copies = {}
    for path in APP_CATALOGUES:
        app = path.parents[3]
        copies[path] = root / app.name
        shutil.copytree(app, copies[path], ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    subprocess.run(  # noqa: S603 - Django's own command on copies of our apps
        [sys.executable, "-P", "-c", EXTRACT_EACH, *map(str, copies.values())],
        cwd=ROOT, check=True, capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "grassroots.settings", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return {path: copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" for path, copy in copies.items()}


@pytest.mark.parametrize("path", APP_CATALOGUES, ids=label)
def test_each_app_catalogue_holds_every_string_its_source_marks(path, extracted):
    """Extract the app's strings afresh (``makemessages`` on a copy of the app) and compare: a string marked
    for translation but never extracted is shown in English whatever the language, and the checks above
    cannot see it."""
    fresh = messages(extracted[path])
    untranslated = sorted(
        (entry.msgctxt or "", entry.msgid) for entry in fresh if not all(entry.msgstr.values())
    )
    assert untranslated == [], f"{path}: strings in the source that the catalogue lacks; run makemessages"


# --- Mongolian (traditional script): residents' and public pages ----------------------------------------------
# Staff pages may stay Chinese or English; everything a resident and the public see is in Mongolian. Every
# Mongolian entry carries the translator comment MN_REVIEW until a native speaker has reviewed it (a comment,
# not the fuzzy flag: fuzzy entries are not compiled, and the pages would fall back to English).
MN_CATALOGUES = sorted(ROOT.glob("**/locale/mn_Mong/LC_MESSAGES/django.po"))
MN_REVIEW = "needs review by a native speaker"
MN_REVIEWED = "reviewed by a native speaker"  # what a reviewer writes instead, with their name and the date
RESIDENT_AND_PUBLIC_TEMPLATES = [
    "templates/base.html",
    "templates/error.html",
    "templates/_pager.html",
    "accounts/templates/accounts/login.html",
    "accounts/templates/accounts/locked_out.html",
    "cases/templates/cases/report.html",
    "cases/templates/cases/mine.html",
    "cases/templates/cases/detail.html",
    "cases/templates/cases/_timeline.html",
    "cases/templates/cases/_duplicates.html",
    "cases/templates/cases/_photo_input.html",
    "cases/templates/cases/_place.html",
    "cases/templates/cases/_send_status.html",
    "cases/templates/cases/_thumb.html",
    "cases/templates/cases/_pager.html",
    "cases/templates/cases/_action.html",
    "cases/templates/cases/_nav.html",
    "cases/templates/cases/_light.html",
    "deliberation/templates/deliberation/index.html",
    "deliberation/templates/deliberation/topic.html",
    "deliberation/templates/deliberation/_timeline.html",
    "deliberation/templates/deliberation/_now.html",
    "deliberation/templates/deliberation/_topic_list.html",
    "deliberation/templates/deliberation/_actions.html",
    "disclosure/templates/disclosure/board.html",
    "disclosure/templates/disclosure/notice.html",
    "disclosure/templates/disclosure/_notice_side.html",
    "disclosure/templates/disclosure/print.html",
    "disclosure/templates/disclosure/_print_side.html",
    "disclosure/templates/disclosure/_content.html",
    "home/templates/home/today.html",
    "notifications/templates/notifications/inbox.html",
    "notifications/templates/notifications/settings.html",
    "notifications/templates/notifications/_inbox_link.html",
    "notifications/templates/notifications/_pager.html",
]
# What the reporter, a topic's readers and a notice's readers are told in words made in Python: the states,
# the messages to the reporter, the process steps, the notice sections and roster columns.
MN_PYTHON_MESSAGES = [
    (None, "reported"), (None, "accepted"), (None, "dispatched"), (None, "handled"), (None, "closed"),
    ("case", "cancelled"), (None, "shelved"), (None, "satisfied"), (None, "basically satisfied"),
    (None, "unsatisfied"), (None, "Your report has been accepted and is being arranged."),
    (None, "Your report has been checked and closed. Please tell us whether it was really solved."),
    (None, "How satisfied are you?"), (None, "Was the problem really solved?"), (None, "Proposed"),
    (None, "Discussion"), (None, "Resolution and vote"), (None, "Publication"), (None, "Evaluation"),
    (None, "party affairs"), (None, "village affairs"), (None, "finance"), ("person", "Name"),
    (None, "Village group"), (None, "Household size"), (None, "Amount (yuan)"),
    (None, "Attention, villagers. %(board)s announces: %(title)s."),
]  # fmt: skip
MONGOLIAN_LETTERS = re.compile("[\u1820-\u1878]")
CYRILLIC = re.compile("[\u0400-\u04ff]")


def template_msgids(path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every translate / blocktranslate of a template, as makemessages extracts them."""
    from django.utils.translation.template import templatize

    code = templatize(path.read_text(encoding="utf-8"), str(path))
    found = set()
    for call in re.finditer(r"\b(n?p?gettext)\(", code):
        node = None
        for end in (i + 1 for i, c in enumerate(code) if c == ")" and i > call.end()):
            try:  # the shortest text from the name to a ")" that is a whole call
                node = ast.parse(code[call.start() : end], mode="eval").body
                break
            except SyntaxError:
                continue
        assert isinstance(node, ast.Call), f"{path}: cannot read {code[call.start() : call.start() + 80]!r}"
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        found.add((args[0], args[1]) if call.group(1) in ("pgettext", "npgettext") else (None, args[0]))
    return found


def mongolian_catalogue() -> dict:
    """The merged Mongolian catalogue the pages use (every app's and the project's, as Django merges them)."""
    from django.utils.translation import trans_real

    return trans_real.translation("mn-mong")._catalog


def test_the_apps_of_the_residents_and_public_pages_have_a_mongolian_catalogue():
    """Those whose templates are listed above, and the project's; another app may add one when it needs it
    (copy its zh_Hans catalogue with the msgstrs emptied and Plural-Forms: nplurals=2; plural=(n != 1);)."""
    owners = {
        template.split("/")[0] for template in RESIDENT_AND_PUBLIC_TEMPLATES if "/templates/" in template
    }
    assert {*owners, "locale"} <= {label(p).split("/")[0] for p in MN_CATALOGUES}


def test_the_template_reader_finds_plain_contextual_and_plural_messages(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}{% translate "Back" %} {% translate "last" context "urge" %}'
        "{% blocktranslate count n=3 %}{{ n }} time{% plural %}{{ n }} times{% endblocktranslate %}",
        encoding="utf-8",
    )
    assert template_msgids(page) == {(None, "Back"), ("urge", "last"), (None, "%(n)s time")}


@pytest.mark.parametrize("template", RESIDENT_AND_PUBLIC_TEMPLATES)
def test_every_message_of_the_residents_and_public_pages_is_in_mongolian(template):
    catalogue = mongolian_catalogue()
    missing = []
    for context, msgid in sorted(template_msgids(ROOT / template), key=str):
        key = f"{context}\x04{msgid}" if context else msgid
        text = catalogue.get(key) or catalogue.get((key, 0))
        if not text or not MONGOLIAN_LETTERS.search(text):
            missing.append((context, msgid))
    assert missing == [], f"{template}: not in Mongolian (grassroots/*/locale/mn_Mong)"


def test_the_words_made_in_python_for_residents_and_the_public_are_in_mongolian():
    with translation.override("mn-mong"):
        untranslated = [
            (context, msgid)
            for context, msgid in MN_PYTHON_MESSAGES
            if not MONGOLIAN_LETTERS.search(translation.pgettext(context, msgid) if context else _(msgid))
        ]
    assert untranslated == []


@pytest.mark.parametrize("path", MN_CATALOGUES, ids=label)
def test_mongolian_entries_are_in_the_traditional_script_compiled_and_marked_for_review(path):
    entries = parse_po(path)
    header = next(entry for entry in entries if not entry.msgid)
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    text = path.read_text(encoding="utf-8")
    comments = {}  # msgid line → the translator comments above it
    pending: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("# "):
            pending.append(raw)
        elif raw.startswith("msgid "):
            comments[number] = pending
            pending = []
        elif not raw.strip():
            pending = []
    with path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    wrong = []
    for entry in messages(path):
        if not all(entry.msgstr.values()):
            continue  # not translated yet: the page shows the English msgid (staff pages only)
        words = " ".join(entry.msgstr.values())
        msgid_line = entry.line if entry.msgctxt is None else entry.line + 1
        if "fuzzy" in entry.flags:
            wrong.append((entry.msgid, "fuzzy: not compiled, mark it with a comment instead"))
        if CYRILLIC.search(words) or not MONGOLIAN_LETTERS.search(words):
            wrong.append((entry.msgid, "not in the traditional script"))
        if not any(MN_REVIEW in c or MN_REVIEWED in c for c in comments.get(msgid_line, [])):
            wrong.append((entry.msgid, f"no '# {MN_REVIEW}' (or '# {MN_REVIEWED} …') comment"))
        if "python-format" in entry.flags:  # the singular form as the msgid, the plural as msgid_plural
            sources = {0: entry.msgid, 1: entry.msgid_plural or entry.msgid}
            for form, text in entry.msgstr.items():
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(sources[form])):
                    wrong.append((entry.msgid, "placeholders differ"))
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        got = compiled.get(key) if entry.msgid_plural is None else compiled.get((key, 0))
        if got != entry.msgstr[0]:
            wrong.append((entry.msgid, "run compilemessages"))
    assert wrong == []


def test_mongolian_pages_show_no_cyrillic():
    """gettext falls back from mn_Mong to Django's Cyrillic mn; grassroots/locale_mn overrides every message of
    those catalogues (grassroots/mongolian.py), and it is current."""
    from grassroots import mongolian

    assert mongolian.OVERRIDES.read_text(encoding="utf-8") == mongolian.overrides_po(), (
        "run scripts/mongolian-overrides"
    )
    catalogue = mongolian_catalogue()
    # what a page shows for each message: the first catalogue that has it (items() lists the shadowed ones too)
    shown = {key: catalogue.get(key) for key, _text in catalogue.items()}
    cyrillic = sorted(str(key) for key, text in shown.items() if CYRILLIC.search(str(text)))
    assert cyrillic == []
    with translation.override("mn-mong"):
        assert MONGOLIAN_LETTERS.search(_("This field is required."))
        assert MONGOLIAN_LETTERS.search(_("Log in"))


def test_the_mongolian_font_has_a_glyph_for_every_mongolian_character_the_catalogues_use():
    """No tofu: the subset served to Mongolian pages covers every character of the Mongolian block (letters,
    FVS, MVS, punctuation, digits) and the joining controls that the catalogues and the seeded names write."""
    from fontTools.ttLib import TTFont

    from grassroots.cases.seed_names import NAMES

    font = (
        Path(settings.BASE_DIR)
        / "grassroots/static/vendor/noto-sans-mongolian-2.001/NotoSansMongolian-subset.woff2"
    )
    cmap = TTFont(font).getBestCmap()
    used = set()
    for path in MN_CATALOGUES:
        for entry in messages(path):
            used |= set("".join(entry.msgstr.values()))
    for _english, mongolian in NAMES.values():
        used |= set(mongolian)
    mongolian = {c for c in used if "\u1800" <= c <= "\u18af" or c in "\u200c\u200d\u202f"}
    assert len(mongolian) > 20  # the catalogues really are in Mongolian
    assert sorted(f"U+{ord(c):04X}" for c in mongolian if ord(c) not in cmap) == []
    # and the joining forms are there: the initial, medial and final forms of the letters, not only isolated
    gsub = TTFont(font)["GSUB"].table
    features = {record.FeatureTag for record in gsub.FeatureList.FeatureRecord}
    assert {"init", "medi", "fina", "isol", "rlig"} <= features


@pytest.mark.django_db
def test_a_mongolian_page_loads_the_font_and_the_vertical_layout_and_other_pages_do_not(client):
    mongolian = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="mn-Mong").content.decode()
    chinese = client.get("/accounts/login/").content.decode()
    assert '<html lang="mn-mong" class="mongolian">' in mongolian
    assert "grassroots/mongolian.css" in mongolian
    with translation.override("mn-mong"):
        assert _("Log in") in mongolian and MONGOLIAN_LETTERS.search(_("Log in"))
    assert "mongolian.css" not in chinese
    # the language switch offers Mongolian by its own name, in its own script
    assert 'value="mn-mong"' in chinese and "\u182e\u1823\u1829\u182d\u1823\u182f" in chinese
