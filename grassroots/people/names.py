"""Search keys computed from a name when it is written: pinyin, initials and name suffixes.

* ``pinyin_of("张三丰") == "zhangsanfeng"`` and ``initials_of("张三丰") == "zsf"`` (pypinyin, lower case, no
  separators). A few surnames read differently from the same character elsewhere (曾 zeng, 单 shan,
  仇 qiu …): the first character is read from a surname table first.
* ``suffixes_of("张三丰") == ["张三丰", "三丰", "丰"]``. A substring search for "三丰" is then a *prefix* search
  over the suffixes, which an ordinary B-tree index answers on SQLite and PostgreSQL alike, without
  trigram extensions (and for one- and two-character queries, which trigrams cannot serve).
"""

from __future__ import annotations

import functools
import re
import unicodedata

SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha", "解": "xie", "乐": "yue",
    "盖": "ge", "繁": "po", "黑": "he", "缪": "miao", "翟": "zhai", "种": "chong", "覃": "qin", "员": "yun",
    "召": "shao", "纪": "ji", "秘": "bi", "冼": "xian", "尉": "yu", "重": "chong", "沈": "shen",
    "薄": "bo", "折": "she", "郇": "xun", "訾": "zi", "朝": "chao", "阚": "kan", "句": "gou",
}  # fmt: skip

MAX_SUFFIXES = 12  # long transliterated names keep the first twelve suffixes


def clean(name: str) -> str:
    """NFKC (full-width letters become ASCII), blanks collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


_HAN = re.compile(r"[\u4e00-\u9fff]+")


@functools.cache
def _pypinyin():
    """pypinyin, imported when a name is first read: its phrase dictionary takes about half a second to load,
    which every process paid at start (a management command, a scheduler, each server) whether it reads a
    name or not."""
    import pypinyin
    from pypinyin.constants import PHRASES_DICT

    return pypinyin.lazy_pinyin, pypinyin.Style.NORMAL, PHRASES_DICT


def _readings(text: str) -> list[str]:
    read, normal, _phrases = _pypinyin()
    return read(text, style=normal, errors="ignore")


@functools.cache
def _char_syllables(ch: str) -> tuple[str, ...]:
    return tuple(_readings(ch))


def _has_phrase(name: str) -> bool:
    """Whether some run of two or more characters of the name is in pypinyin's phrase dictionary (which
    may read its characters otherwise than alone)."""
    n = len(name)
    phrases = _pypinyin()[2]
    return any(name[i:j] in phrases for i in range(n - 1) for j in range(i + 2, n + 1))


@functools.lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    name = clean(name)
    if not name:
        return ()
    if _HAN.fullmatch(name) and not _has_phrase(name):
        # Most names are in no phrase: pypinyin would read them character by character, so the readings of
        # characters are kept (a few thousand) instead of segmenting every new name (a third of the cost of
        # writing a resident in an import).
        raw = [s for ch in name for s in _char_syllables(ch)]
    else:
        raw = _readings(name)
    syllables = [s.lower() for s in raw]
    if name[0] in SURNAME_READINGS and syllables:
        syllables[0] = SURNAME_READINGS[name[0]]
    return tuple("".join(ch for ch in s if ch.isascii() and ch.isalnum()) for s in syllables if s.strip())


def pinyin_of(name: str) -> str:
    return "".join(_syllables(name))[:200]


def initials_of(name: str) -> str:
    return "".join(s[0] for s in _syllables(name) if s)[:50]


def suffixes_of(name: str) -> list[str]:
    """Every suffix of the name without separators (·, spaces), longest first, deduplicated."""
    compact = "".join(ch for ch in clean(name) if ch not in " ·•・.-")
    seen: list[str] = []
    for i in range(min(len(compact), MAX_SUFFIXES)):
        suffix = compact[i:]
        if suffix not in seen:
            seen.append(suffix)
    return seen


def is_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)
