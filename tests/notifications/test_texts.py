"""SMS length rules: GSM 7-bit text fits 160 characters in one SMS and 153 per part, anything else (every
Chinese character) 70 and 67; a message is shortened — body first, then title — to fit the configured parts
with its signature and the template's own text, and never grows past them whatever it says."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from grassroots.notifications import texts


def test_segments_follow_the_gsm_and_ucs2_rules():
    assert texts.segments("") == 0
    assert (
        texts.segments("a" * 160) == 1 and texts.segments("a" * 161) == 2 and texts.segments("a" * 306) == 2
    )
    assert texts.segments("a" * 307) == 3
    assert texts.segments("中" * 70) == 1 and texts.segments("中" * 71) == 2
    assert texts.segments("中" * 134) == 2 and texts.segments("中" * 135) == 3
    assert texts.segments("a" * 69 + "中") == 1 and texts.segments("a" * 70 + "中") == 2  # one Chinese: UCS-2
    assert texts.units("😀") == 2  # outside the BMP: two UTF-16 units


def test_the_template_is_filled_by_name_or_by_position():
    params = {"title": "报告已受理", "body": "请留意"}
    assert texts.render_template("${title}：${body}", params) == "报告已受理：请留意"
    assert texts.render_template("{1}，{2}。", params) == "报告已受理，请留意。"
    assert texts.render_template("{title} {unknown}", params) == "报告已受理 {unknown}"


def test_a_short_message_is_left_as_it_is_and_a_long_one_loses_its_end():
    short = texts.fit(
        "报告已受理", "请留意", param_names={"title": "title", "body": "body"}, template="${title}：${body}",
        signature="网格", max_segments=1,
    )  # fmt: skip
    assert short.text == "【网格】报告已受理：请留意" and not short.shortened
    long = texts.fit(
        "报告已受理", "很长" * 80, param_names={"title": "title", "body": "body"}, template="${title}：${body}",
        signature="网格", max_segments=2,
    )  # fmt: skip
    assert long.segments == 2 and len(long.text) == 134 and long.params["body"].endswith("…")
    title_only = texts.fit(
        "标" * 100, "正文", param_names={"title": "title", "body": "body"}, template="${title}：${body}",
        signature="网格", max_segments=1,
    )  # fmt: skip
    assert title_only.params["body"] == "" and title_only.params["title"].endswith("…")
    assert title_only.segments == 1
    capped = texts.fit(
        "报告已受理", "一二三四五六七八九十", param_names={"t": "title", "b": "body"}, template="{1}{2}",
        signature="", max_segments=1, param_max_chars=6,
    )  # fmt: skip
    assert capped.params == {"t": "报告已受理", "b": "一二三四五…"} and capped.shortened


@hyp_settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=120),
    body=st.text(max_size=400),
    max_segments=st.integers(1, 3),
    template=st.sampled_from(["${title}：${body}", "您的诉求有新进展：${title}。${body}", "${body}"]),
)
def test_property_the_message_never_takes_more_parts_than_allowed(title, body, max_segments, template):
    result = texts.fit(
        title, body, param_names={"title": "title", "body": "body"}, template=template, signature="巴彦淖尔网格",
        max_segments=max_segments,
    )  # fmt: skip
    assert result.segments <= max_segments
    assert result.text == "【巴彦淖尔网格】" + texts.render_template(template, result.params)
    # what is kept is the start of what was written
    assert title.startswith(result.params["title"].removesuffix("…"))
    assert body.startswith(result.params["body"].removesuffix("…"))
