"""What a notification says outside the inbox, and how long an SMS it makes.

The words are the ones the inbox shows: the notification's title and body with phone and ID numbers masked
(``masking.mask_numbers_in_text``, the one free-text masker, as the inbox's ``|masked`` filter does). Chinese
SMS gateways send only approved templates, so the words travel as template parameters (``title``,
``body``, ``text`` = title and body together); the gateway puts them into the template's fixed text and the
signature in front (【签名】).

Length rules (3GPP TS 23.038 / 23.040, as the Chinese operators bill them): a message wholly in the GSM 7-bit
alphabet fits 160 characters in one SMS and 153 per part when split; any other character (every Chinese one)
makes the whole message UCS-2: 70 characters in one SMS, 67 per part. A character outside the Basic
Multilingual Plane takes two UCS-2 units. :func:`fit` shortens the body (then the title) with an ellipsis so
that the whole message — signature and template text included — stays within the configured number of parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grassroots.masking import mask_numbers_in_text

# GSM 03.38 basic character set (the escape-table characters count double and are left out: a message with
# them is rare enough to be treated as UCS-2).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
UCS2_SINGLE, UCS2_PART = 70, 67
GSM7_SINGLE, GSM7_PART = 160, 153
ELLIPSIS = "…"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}|\{(\w+)\}")


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7 for ch in text)


def units(text: str) -> int:
    """Length in the message's encoding units: characters for GSM 7-bit, UTF-16 code units for UCS-2."""
    if is_gsm7(text):
        return len(text)
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS the text takes (0 for an empty text)."""
    n = units(text)
    if n == 0:
        return 0
    single, part = (GSM7_SINGLE, GSM7_PART) if is_gsm7(text) else (UCS2_SINGLE, UCS2_PART)
    return 1 if n <= single else -(-n // part)


def capacity(max_segments: int, *, gsm7: bool = False) -> int:
    """The most units that fit in ``max_segments`` parts."""
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm7 else (UCS2_SINGLE, UCS2_PART)
    return single if max_segments <= 1 else part * max_segments


@dataclass(frozen=True)
class SmsText:
    """The parameters sent to the gateway's template, the whole message as the phone shows it, its parts."""

    params: dict[str, str]
    text: str
    segments: int
    shortened: bool


def words_of(notification) -> tuple[str, str]:
    """The notification's title and body as the inbox shows them (numbers masked), whitespace folded."""
    title = " ".join(mask_numbers_in_text(notification.title or "").split())
    body = " ".join(mask_numbers_in_text(notification.body or "").split())
    return title, body


def render_template(template: str, params: dict[str, str]) -> str:
    """The template's text with its placeholders filled: ``${name}`` (Aliyun) or ``{name}`` / ``{1}``
    (Tencent, numbered from 1 in the order of the configured parameters)."""
    ordered = list(params.values())

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if name in params:
            return params[name]
        if name.isdigit() and 1 <= int(name) <= len(ordered):
            return ordered[int(name) - 1]
        return match.group(0)

    return _PLACEHOLDER.sub(value, template)


def _cut(text: str, keep: int) -> str:
    """The first ``keep`` characters and an ellipsis (the text itself when it is not longer)."""
    if keep >= len(text):
        return text
    return text[:keep] + ELLIPSIS if keep > 0 else ""


def _cap(text: str, limit: int | None) -> str:
    if not limit or len(text) <= limit:
        return text
    return _cut(text, max(limit - 1, 0))


def _longest(fits, length: int) -> int | None:
    """The largest k in 0..length for which ``fits(k)`` holds (it holds for every smaller k), or None."""
    lo, hi, best = 0, length, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(mid):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best


def fit(
    title: str,
    body: str,
    *,
    param_names: dict[str, str],
    template: str,
    signature: str,
    max_segments: int,
    param_max_chars: int | None = None,
) -> SmsText:
    """Fill the template's parameters from the title and body, shortened so that 【signature】 + template
    text stays within ``max_segments`` parts and each parameter within ``param_max_chars`` characters.

    ``param_names`` maps each template parameter to what it carries: ``title``, ``body`` or ``text``
    (title and body together). The body is shortened first; the title only when nothing of the body fits.
    """

    def build(t: str, b: str, *, capped: bool = True) -> dict[str, str]:
        parts = {"title": t, "body": b, "text": f"{t}：{b}" if t and b else (t or b)}
        params = {name: parts.get(part, "") for name, part in param_names.items()}
        return {name: _cap(v, param_max_chars) for name, v in params.items()} if capped else params

    def whole(t: str, b: str) -> str:
        filled = render_template(template, build(t, b))
        return f"【{signature}】{filled}" if signature else filled

    def fits(t: str, b: str) -> bool:
        return segments(whole(t, b)) <= max_segments

    t, b = title, body
    if not fits(t, b):
        keep = _longest(lambda k: fits(title, _cut(body, k)), len(body))
        if keep is not None and keep > 0:
            b = _cut(body, keep)
        else:
            b = ""
            keep = _longest(lambda k: fits(_cut(title, k), ""), len(title))
            t = _cut(title, keep or 0)
    params = build(t, b)
    text = whole(t, b)
    shortened = (t, b) != (title, body) or params != build(title, body, capped=False)
    return SmsText(params, text, segments(text), shortened)
