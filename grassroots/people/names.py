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
import unicodedata

from pypinyin import Style, lazy_pinyin

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


@functools.lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    name = clean(name)
    if not name:
        return ()
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
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
