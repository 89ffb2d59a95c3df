import pytest
from pypinyin import Style, lazy_pinyin

from grassroots.people import names


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("张三丰", "zhangsanfeng", "zsf"),  # no phrase: read character by character
        ("曾小明", "zengxiaoming", "zxm"),  # a surname read from the surname table
        ("重阳", "chongyang", "cy"),  # a phrase: 重 read as in the phrase, not alone (zhong)
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("阿依古丽·买买提", "ayiguli" + "maimaiti", "aygl" + "mmt"),  # not all Chinese: pypinyin throughout
        ("Ｌｉ Ｌｅｉ", "", ""),  # letters have no pinyin (as before: pypinyin leaves them out)
        ("", "", ""),
    ],
)
def test_pinyin_and_initials_of_a_name(name, pinyin, initials):
    assert (names.pinyin_of(name), names.initials_of(name)) == (pinyin, initials)


def test_names_read_by_character_as_pypinyin_reads_the_whole_name():
    # every pair and triple of these characters, some of which begin phrases (长, 重, 行, 乐, 朝)
    chars = "王李张刘重长行乐朝阳国华明天子海平安和"
    for a in chars:
        for b in chars:
            for name in (a + b, a + b + "明", "小" + a + b):
                expected = [s for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore") if s.strip()]
                if name[0] in names.SURNAME_READINGS:
                    expected[0] = names.SURNAME_READINGS[name[0]]
                assert names.pinyin_of(name) == "".join(expected), name
