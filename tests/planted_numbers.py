"""Numbers planted in free text in every spelling people type, for the tests that read every public surface
back (deliberation, disclosure, cases): none may come back whole."""

from __future__ import annotations

import re

# (as written, the digits that must never be shown together, as every rendering shows it)
PLANTED = [
    ("+8613812340001", "13812340001", "+86138****0001"),
    ("+86 138 1234 0002", "13812340002", "+86 138 **** 0002"),
    ("0086-138-1234-0003", "13812340003", "0086-138-****-0003"),
    ("(+86)138.1234.0004", "13812340004", "(+86)138.****.0004"),
    ("１３８１２３４０００５", "13812340005", "１３８****０００５"),
    ("138 1234 0006", "13812340006", "138 **** 0006"),
    ("138.1234.0007", "13812340007", "138.****.0007"),
    ("138-1234-0008", "13812340008", "138-****-0008"),
    ("150825 19900101 1234", "150825199001011234", "150825 ******** 1234"),
    ("11010519491231002X", "11010519491231002X", "110105********002X"),
    ("150825900101123", "150825900101123", "150825*****1123"),
]
TEXT = "联系：" + "；".join(written for written, _, _ in PLANTED) + "。"
REASON_SPELLINGS = ["+86 138 1234 0002", "138.1234.0007", "150825 19900101 1234"]

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def leaks(rendered: str) -> list[str]:
    """The planted numbers whose digits a rendering shows whole (in any spelling)."""
    digits = re.sub(r"[^0-9X]", "", rendered.translate(_FULL_WIDTH))
    return [written for written, whole, _ in PLANTED if whole in digits or written in rendered]


def masked_forms(rendered: str) -> list[str]:
    """The planted numbers a rendering shows masked, as the masker writes them."""
    return [masked for _, _, masked in PLANTED if masked in rendered]
