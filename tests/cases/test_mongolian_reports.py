"""A resident may write a report in Mongolian (traditional script): it is kept as written, found by search,
taken for a duplicate like any other report, and the numbers in it are masked wherever others read it; the
resident's pages name the service type in Mongolian."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.cases import selectors, services
from grassroots.cases.models import Case, Category
from grassroots.cases.seed_names import NAMES
from grassroots.masking import mask_numbers_in_text
from grassroots.textinput import check_text

from .conftest import INSIDE_G1

# "The rubbish has not been cleared for three days; call me: 13812345678" — with the narrow no-break space before
# case suffixes (U+202F), a vowel separator (U+180E) and a free variation selector (U+180B) in it.
REPORT = (
    "ᠭᠤᠷᠪᠠᠨ ᠡᠳᠦᠷ ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ ᠴᠡᠪᠡᠷᠯᠡᠭᠰᠡᠨ ᠦᠭᠡᠢ᠂ ᠨᠠᠮᠠᠢ\u202fᠳᠤ ᠤᠲᠠᠰᠤᠳᠠᠭᠠᠷᠠᠢ᠄ 13812345678 ᠭᠠᠴᠠᠭ\u180eᠠ ᠠ\u180b"
)
MONGOLIAN_DIGITS = str.maketrans("0123456789", "᠐᠑᠒᠓᠔᠕᠖᠗᠘᠙")
# Mongolian letters, the controls a Mongolian keyboard types and its punctuation: text around a number.
AROUND = st.text(
    alphabet=st.sampled_from(
        [*"ᠠᠡᠢᠣᠤᠥᠦᠨᠪᠬᠭᠮᠯᠰᠲᠳᠴᠵᠶᠷ", "\u180b", "\u180e", "\u202f", "\u200d", " ", "᠂", "᠃"]
    ),
    max_size=10,
)


def test_mongolian_text_is_text_for_the_input_rule():
    # the controls Mongolian needs (FVS, MVS, NNBSP, ZWJ, ZWNJ) are not the refused bidi or C0/C1 controls
    text = REPORT + "\u200c\u200d\u180c\u180d\u180f"
    assert check_text(text, field="description") == text


@settings(derandomize=True, max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=AROUND,
    after=AROUND,
    rest=st.integers(0, 10**8 - 1),
    second=st.sampled_from("3456789"),
    digits=st.sampled_from(["ascii", "mongolian"]),
)
def test_a_mobile_number_inside_mongolian_text_is_masked_in_either_digits(
    before, after, rest, second, digits
):
    number = f"1{second}{rest:09d}"[:11]
    written = number if digits == "ascii" else number.translate(MONGOLIAN_DIGITS)
    masked = mask_numbers_in_text(f"{before}{written}{after}")
    assert written not in masked
    assert masked == f"{before}{written[:3]}****{written[7:]}{after}"


def test_an_id_number_in_mongolian_digits_is_masked_and_the_letters_are_kept_exactly():
    id_number = "11010519491231002X".translate(MONGOLIAN_DIGITS)
    text = f"ᠪᠡᠶ\u180eᠡ ᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠬᠦ {id_number}\u202fᠲᠡᠢ᠃"
    assert mask_numbers_in_text(text) == "ᠪᠡᠶ\u180eᠡ ᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠬᠦ ᠑᠑᠐᠑᠐᠕********᠐᠐᠒X\u202fᠲᠡᠢ᠃"
    # a Mongolian year or amount is no phone number
    assert mask_numbers_in_text("᠒᠐᠒᠖ ᠣᠨ ᠓᠐᠐ ᠶᠤᠸᠠᠨ") == "᠒᠐᠒᠖ ᠣᠨ ᠓᠐᠐ ᠶᠤᠸᠠᠨ"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"


def test_a_report_in_mongolian_is_kept_as_written_and_masked_for_the_handlers(city):
    # when a resident reports in Mongolian through the page, in Mongolian
    client = Client(HTTP_ACCEPT_LANGUAGE="mn-Mong")
    client.force_login(city.resident)
    response = client.post(
        "/cases/report/",
        {
            "category": "0101",
            "description": REPORT,
            "lon": INSIDE_G1[0],
            "lat": INSIDE_G1[1],
            "kind": "problem",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(reporter=city.resident)
    # then the text is stored exactly as written, every control character in place
    assert case.description == REPORT
    # and the grid worker's case page shows it with the phone number masked
    worker = Client()
    worker.force_login(city.grid_worker)
    page = worker.get(f"/cases/{case.pk}/").content.decode()
    assert "ᠭᠤᠷᠪᠠᠨ ᠡᠳᠦᠷ ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ" in page and "138****5678" in page and "13812345678" not in page
    # and the resident's own page is Mongolian, naming the service type in Mongolian
    mine = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<html lang="mn-mong" class="mongolian">' in mine
    assert NAMES["0101"][1] in mine


def test_a_mongolian_report_is_found_by_search_and_by_duplicate_detection(city, rf: RequestFactory):
    # given a report in Chinese and then one in Mongolian at the same place and of the same service type
    first = services.case_report(
        actor=city.other_resident,
        category="0101",
        description="垃圾三天没人清理",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
    )
    second = services.case_report(
        actor=city.resident, category="0101", description=REPORT, lon=INSIDE_G1[0], lat=INSIDE_G1[1] + 0.0001
    )
    # then each is the other's possible duplicate: the words' language plays no part
    near = selectors.duplicates_near(
        category=city.litter, lon=second.lon, lat=second.lat, exclude_pk=second.pk
    )
    assert [n.case.pk for n in near] == [first.pk]
    # and the administrator's case search finds the Mongolian one by a Mongolian word
    admin = site._registry[Case]
    request = rf.get("/admin/cases/case/")
    request.user = city.county
    found, _duplicates = admin.get_search_results(request, Case.objects.all(), "ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ")
    assert list(found.values_list("pk", flat=True)) == [second.pk]


@pytest.mark.django_db
def test_service_types_are_named_in_the_readers_language():
    from tests.cases.conftest import ensure_seed

    ensure_seed()
    litter = Category.objects.get(code="0101")
    assert litter.name_mn == NAMES["0101"][1] and litter.name_en == NAMES["0101"][0]
    with translation.override("mn-mong"):
        assert litter.shown_name == NAMES["0101"][1]
    with translation.override("en"):
        assert litter.shown_name == "Litter and exposed rubbish"
    with translation.override("zh-hans"):
        assert litter.shown_name == litter.name
    # an administrator's own name stays; a type without a Mongolian name shows the Chinese one
    litter.name_mn = ""
    litter.save()
    with translation.override("mn-mong"):
        assert litter.shown_name == litter.name
    # every seeded service type has both names
    assert not Category.objects.filter(code__in=list(NAMES), name_mn="").exclude(pk=litter.pk).exists()
