"""The free-text masker (``grassroots.masking.mask_numbers_in_text``): every spelling of a mainland mobile or
ID number that people type is masked where it stands; ordinary numbers (amounts, dates, years, reference
numbers) are left as written. Property-based, derandomised: the same examples on every run."""

from __future__ import annotations

import datetime as dt
import logging
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grassroots.masking import MaskingLogFilter, find_numbers, mask_numbers_in_text, numbers_found

# Derandomised (the same examples on every run); generation may be slow on a busy machine.
PROPERTY = settings(
    derandomize=True, max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FULL_WIDTH = str.maketrans("0123456789+()Xx", "０１２３４５６７８９＋（）Ｘｘ")
ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
PROVINCES = ["11", "13", "15", "21", "32", "37", "44", "51", "65", "71", "81", "82"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Text around a number: Chinese, punctuation, Latin letters, never a digit or an X (that would make it longer).
AROUND = st.text(
    alphabet=st.sampled_from([*"电话身份证号联系我请打：:，,。 （）()abcYZ张村委会的是", "\n"]),
    max_size=8,
)


def _digits_of(n: int):
    return st.integers(0, 10**n - 1).map(lambda v: f"{v:0{n}d}")


def mobiles():
    return st.builds(
        lambda second, rest: f"1{second}{rest}",
        st.sampled_from("3456789"),
        _digits_of(9),
    )


def _check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_numbers():
    """18-character IDs (a valid check character, X included) and 15-digit IDs of before 1999."""
    births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
    long = st.builds(
        lambda p, area, born, order: (lambda s: s + _check(s))(f"{p}{area}{born:%Y%m%d}{order}"),
        st.sampled_from(PROVINCES),
        _digits_of(4),
        births,
        _digits_of(3),
    )
    short = st.builds(
        lambda p, area, born, order: f"{p}{area}{born:%y%m%d}{order}",
        st.sampled_from(PROVINCES),
        _digits_of(4),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
        _digits_of(3),
    )
    return st.one_of(long, short)


SEPARATORS = st.sampled_from([" ", "-", ".", "　", "－", "．", "—", " - ", "\u00a0"])


@st.composite
def spelled(draw, number: str, groupings: list[list[int]]):
    """``number`` as a person might type it: grouped by one of ``groupings`` with one separator (or none),
    perhaps in full-width digits."""
    sizes = draw(st.sampled_from(groupings))
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    text = draw(st.one_of(st.just(""), SEPARATORS)).join(parts)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text


MOBILE_GROUPS = [[11], [3, 4, 4], [3, 8], [7, 4], [4, 4, 3], [3, 3, 5]]
PREFIXES = st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "0086 ", "(+86)", "（+86）", "＋86 ", "86"])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(ASCII_DIGITS))


@PROPERTY
@given(data=st.data(), number=mobiles(), prefix=PREFIXES, before=AROUND, after=AROUND)
def test_a_mobile_in_any_spelling_is_masked(data, number, prefix, before, after):
    text = f"{before}{prefix}{data.draw(spelled(number, MOBILE_GROUPS))}{after}"
    masked = mask_numbers_in_text(text)
    kept = re.sub(r"[^0-9*]", "", masked.translate(ASCII_DIGITS))
    # the first 3 and last 4 digits stay, as on every masked phone; the words around are untouched
    assert kept == _digits(prefix) + number[:3] + "****" + number[-4:], (text, masked)
    assert masked.startswith(before) and masked.endswith(after)
    assert len(masked) == len(text)
    assert [f.kind for f in find_numbers(text)] == ["mobile"]


ID_GROUPS_18 = [[18], [6, 8, 4], [6, 4, 4, 4], [6, 12], [3, 3, 4, 4, 4]]
ID_GROUPS_15 = [[15], [6, 6, 3], [6, 9]]


@PROPERTY
@given(data=st.data(), number=id_numbers(), before=AROUND, after=AROUND, lower_x=st.booleans())
def test_an_id_number_in_any_spelling_is_masked(data, number, before, after, lower_x):
    if lower_x:
        number = number.replace("X", "x")
    text = f"{before}{data.draw(spelled(number, ID_GROUPS_18 if len(number) == 18 else ID_GROUPS_15))}{after}"
    masked = mask_numbers_in_text(text)
    kept = re.sub(r"[^0-9Xx*]", "", masked.translate(ASCII_DIGITS).translate(str.maketrans("Ｘｘ", "Xx")))
    # first 6 and last 4 kept, every character between masked
    assert kept.endswith(number[:6] + "*" * (len(number) - 10) + number[-4:]), (text, masked)
    assert masked.startswith(before) and masked.endswith(after)
    assert [f.kind for f in find_numbers(text)] == ["id_number"]


def test_the_spellings_of_the_report():
    assert mask_numbers_in_text("+8613812345678") == "+86138****5678"
    assert mask_numbers_in_text("电话 +86 138 1234 5678") == "电话 +86 138 **** 5678"
    assert mask_numbers_in_text("138.1234.5671") == "138.****.5671"
    assert mask_numbers_in_text("150825 19900101 1234") == "150825 ******** 1234"
    assert mask_numbers_in_text("0086-138-1234-5678，找王") == "0086-138-****-5678，找王"
    assert mask_numbers_in_text("１３８１２３４５６７８") == "１３８****５６７８"
    assert mask_numbers_in_text("身份证11010519491231002X。") == "身份证110105********002X。"
    assert mask_numbers_in_text("老证150825900101123") == "老证150825*****1123"
    assert mask_numbers_in_text("tel13812345678x") == "tel138****5678x"


# --- what stays as written ----------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False).map(
    lambda d: st.sampled_from([f"{d}", f"{d:,}", f"¥{d}", f"{d}元"])
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(
    lambda d: st.sampled_from(
        [f"{d:%Y-%m-%d}", f"{d:%Y.%m.%d}", f"{d:%Y/%m/%d}", f"{d:%Y%m%d}", f"{d.year}年{d.month}月{d.day}日"]
    )
)
years = st.integers(min_value=1900, max_value=2100).map(lambda y: st.just(f"{y}年"))
# A case's reference (its report date and 7 digits), a village code (12 digits), a count, a time of day.
references = st.builds(
    lambda d, n: f"{d:%Y%m%d}{n:07d}",
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    st.integers(1, 10**7 - 1),
).map(st.just)
codes = _digits_of(9).map(lambda d: st.just("150" + d))
small = st.integers(0, 99_999).map(lambda n: st.just(str(n)))
times = st.times().map(lambda t: st.just(f"{t:%H:%M}"))
ORDINARY = st.one_of(amounts, dates, years, references, codes, small, times).flatmap(lambda s: s)
WORDS = st.sampled_from(["，", "。", "元，", " 至 ", "、", "；", " 共 ", "\n"])


@PROPERTY
@given(parts=st.lists(st.tuples(ORDINARY, WORDS), min_size=1, max_size=6), before=AROUND)
@example(parts=[("202603020000123", "，"), ("2026-03-02", "。")], before="事件")
@example(parts=[("1,234.50", "元，"), ("2026年", "。")], before="")
def test_ordinary_numbers_are_left_as_written(parts, before):
    text = before + "".join(number + word for number, word in parts)
    assert mask_numbers_in_text(text) == text
    assert numbers_found(text) == []


@PROPERTY
@given(st.text(max_size=60))
def test_masking_twice_masks_nothing_more(text):
    once = mask_numbers_in_text(text)
    assert mask_numbers_in_text(once) == once
    assert len(once) == len(text)


def test_the_writer_is_told_what_others_will_read():
    assert numbers_found("请联系 138-1234-5678 或身份证 150825199001011234") == [
        "138-****-5678",
        "150825********1234",
    ]
    assert numbers_found("修路 2026-03-02，共 1200 元") == []


def test_log_lines_are_masked(caplog):
    logger = logging.getLogger("grassroots.test")
    handler = logging.Handler()
    handler.addFilter(MaskingLogFilter())
    seen = []
    handler.emit = lambda record: seen.append(record.getMessage() + (record.exc_text or ""))
    logger.addHandler(handler)
    try:
        logger.warning("reporter %s called", "+86 138 1234 5678")
        try:
            raise ValueError("bad id 150825199001011234")
        except ValueError:
            logger.exception("failed for %s", "13812345678")
    finally:
        logger.removeHandler(handler)
    assert seen[0] == "reporter +86 138 **** 5678 called"
    assert "138****5678" in seen[1] and "150825********1234" in seen[1]
    assert "13812345678" not in seen[1] and "199001011234" not in seen[1]
