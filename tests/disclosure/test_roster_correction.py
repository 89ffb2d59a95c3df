"""Correcting a published roster from Excel: staff download the current roster, edit it and upload it with a
reason; the correction is a new version and the earlier ones stay. A bad file or row changes nothing."""

import io

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from grassroots import clock
from grassroots.disclosure import content, selectors, services
from grassroots.disclosure.models import Notice, NoticeKind, NoticeVersion

from .conftest import ALLOWANCE_ROWS, at, sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNCHANGED = "更正内容与原来相同，请修改正文或名单。"
ROWS = {
    NoticeKind.ALLOWANCE: ALLOWANCE_ROWS,
    NoticeKind.SUBSIDY: [
        {"name": "张小明", "village_group": "一组", "household_size": 3, "amount": "300.00", "period": "2026年3月"},
        {"name": "=李四", "village_group": "2组", "household_size": 1, "amount": "1,200.5",
         "starts_on": "2026/03/01"},
    ],
    NoticeKind.RELIEF: [
        {"name": "王大锤", "village_group": "二组", "amount": "2000", "reason": "-因病致贫", "starts_on": "2026-03-05"},
    ],
    NoticeKind.WATER_FEE: [
        {"name": "张小明", "village_group": "1", "due": "120.50", "paid": "60"},
        {"name": "李四", "village_group": "二组", "due": "0.10", "paid": "0.1"},
    ],
}  # fmt: skip


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _published(town, kind=NoticeKind.ALLOWANCE, rows=None):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind=kind, title="3月名单", rows=rows or ROWS[kind]
        )
        return services.notice_publish(actor=town.staff, notice=notice)


def _download(client, notice) -> bytes:
    response = client.get(f"/disclosure/notices/{notice.pk}/roster.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return response.content


def _edited(data: bytes, *, row: int, header: str, value) -> io.BytesIO:
    """The workbook with one cell changed, found by its row and its column's header in row 1."""
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    column = next(c.column for c in ws[1] if c.value == header)
    ws.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def _file(data: bytes, name="roster.xlsx") -> io.BytesIO:
    out = io.BytesIO(data)
    out.name = name
    return out


def _snapshot():
    return (
        list(Notice.objects.order_by("pk").values_list("state", "draft")),
        list(NoticeVersion.objects.order_by("pk").values_list("number", "content", "reason", "content_hash")),
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_download_edit_and_upload_publishes_a_new_version(town):
    # given a published allowance roster and its download, with 王大锤's amount (row 4) changed in Excel
    notice = _published(town)
    client = _client(town.staff)
    data = _download(client, notice)
    book = load_workbook(io.BytesIO(data))
    assert [c.value for c in book.active[1]] == [
        "姓名", "村民小组", "家庭人口", "变动", "原金额", "金额", "原因", "起始日期",
    ]  # fmt: skip
    assert [c.value for c in book.active[3]][:6] == ["李四", "二组", 1, "停保", 520.5, 0]
    upload = _edited(data, row=4, header="金额", value=1720)
    first = NoticeVersion.objects.get(notice=notice, number=1)
    # when staff upload it with a reason on the manage page
    with clock.frozen(at("2026-03-05")):
        response = client.post(
            f"/disclosure/notices/{notice.pk}/correct/",
            {"sheet": upload, "reason": "王大锤家保障金额核算有误", "title": "3月名单", "body": ""},
            follow=True,
        )
    # then version 2 has the new amount and the reason, version 1 is as it was, and the chain holds
    assert response.status_code == 200
    assert _messages(response) == ["更正已发布，为第2版。"]
    version = NoticeVersion.objects.get(notice=notice, number=2)
    assert version.reason == "王大锤家保障金额核算有误"
    assert version.content["rows"][2]["amount"] == "1720.00"
    assert version.content["rows"][:2] == first.content["rows"][:2]
    assert NoticeVersion.objects.get(pk=first.pk).content == first.content
    assert selectors.changes_between(first.content, version.content) == ["row 3"]
    assert selectors.verify_notice(notice).ok
    # and the next download is the corrected roster
    assert load_workbook(io.BytesIO(_download(client, notice))).active.cell(row=4, column=6).value == 1720
    # and the public page says what changed in words
    with translation.override("zh-hans"), clock.frozen(at("2026-03-05")):
        page = Client().get(f"/disclosure/notices/{notice.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "改动: 第3行" in html and "row 3" not in html
    assert ">变动</th>" in html and ">修改</th>" not in html  # the roster's word, not the admin's 修改


def test_the_form_still_corrects_the_title_alone_and_with_a_sheet_both(town):
    notice = _published(town)
    client = _client(town.staff)
    data = _download(client, notice)
    url = f"/disclosure/notices/{notice.pk}/correct/"
    client.post(url, {"title": "3月低保名单", "body": "", "reason": "标题不清"})
    client.post(
        url,
        {
            "title": "3月低保名单（更正）",
            "sheet": _edited(data, row=2, header="金额", value=1300),
            "reason": "金额",
        },
    )
    versions = list(NoticeVersion.objects.filter(notice=notice).order_by("number"))
    assert [v.content["title"] for v in versions] == ["3月名单", "3月低保名单", "3月低保名单（更正）"]
    assert [v.content["rows"][0]["amount"] for v in versions] == ["1260.00", "1260.00", "1300.00"]


@pytest.mark.parametrize("kind", list(ROWS))
def test_an_unchanged_download_is_a_correction_that_changes_nothing(town, kind):
    # given a published roster of each kind, with amounts, dates, changes and formula-like text as typed
    notice = _published(town, kind)
    data = _download(_client(town.staff), notice)
    before = _snapshot()
    # when its download goes back unchanged
    with translation.override("zh-hans"), pytest.raises(content.ContentInvalid) as exc:
        services.roster_correct(actor=town.staff, notice=notice, file=_file(data), reason="核对")
    # then it is refused as changing nothing, and nothing changed
    assert str(exc.value.message) == UNCHANGED
    assert _snapshot() == before


def test_an_unchanged_download_is_refused_on_the_page_too(town):
    notice = _published(town)
    client = _client(town.staff)
    data = _download(client, notice)
    before = _snapshot()
    with translation.override("zh-hans"):
        response = client.post(
            f"/disclosure/notices/{notice.pk}/correct/",
            {"sheet": _file(data), "reason": "核对"},
            follow=True,
        )
    assert _messages(response) == [UNCHANGED]
    assert _snapshot() == before


def test_a_bad_row_is_named_by_row_and_chinese_column_and_changes_nothing(town):
    # given the download with 李四 (row 3) moved to a group the village does not have
    notice = _published(town)
    client = _client(town.staff)
    upload = _edited(_download(client, notice), row=3, header="村民小组", value="九组")
    before = _snapshot()
    # when it is uploaded as a correction, on the page and through the service
    with translation.override("zh-hans"):
        response = client.post(
            f"/disclosure/notices/{notice.pk}/correct/", {"sheet": upload, "reason": "更正"}, follow=True
        )
        with pytest.raises(content.ContentInvalid) as exc:
            services.roster_correct(actor=town.staff, notice=notice, file=upload, reason="更正")
    # then the message names row 3 and the column 村民小组, and nothing changed
    assert str(exc.value.message) == "第3行“村民小组”列：不是本村的村民小组。请改正表格后重新导入。"
    assert exc.value.detail["rows"] == [
        {"row": 3, "column": "village_group", "header": "村民小组", "message": "不是本村的村民小组"}
    ]
    assert _messages(response) == [str(exc.value.message)]
    assert _snapshot() == before


def test_every_wrong_row_is_listed_on_the_page(town):
    notice = _published(town)
    client = _client(town.staff)
    data = _edited(_download(client, notice), row=2, header="金额", value="一千").getvalue()
    upload = _edited(data, row=4, header="村民小组", value="九组")
    before = _snapshot()
    response = client.post(
        f"/disclosure/notices/{notice.pk}/correct/", {"sheet": upload, "reason": "更正"}, follow=True
    )
    (shown,) = _messages(response)
    assert shown.startswith("第2行“金额”列：")
    assert "[2:金额] 不是金额" in shown and "[4:村民小组] 不是本村的村民小组" in shown
    assert _snapshot() == before


def test_private_columns_are_dropped_and_named(town):
    # given a sheet of the corrected roster with an ID-number column
    notice = _published(town)
    rows = [dict(r) for r in ALLOWANCE_ROWS]
    header = ["姓名", "身份证号", "村民小组", "家庭人口", "变动类型", "原金额", "金额", "原因", "起始日期"]
    cells = [
        [r["name"], "11010519491231002X", r["village_group"], r["household_size"], r["change"],
         r.get("previous_amount"), r["amount"], r.get("reason"), r["starts_on"]]
        for r in rows
    ]  # fmt: skip
    cells[0][6] = "1300"
    # when it is uploaded through the API
    response = _client(town.staff).post(
        f"/api/v1/disclosure/notices/{notice.pk}/corrections/sheet",
        {"file": sheet(header, cells), "reason": "金额核算有误"},
    )
    # then the correction is stored without the column, and the column is named
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["dropped_columns"] == ["身份证号"]
    assert body["number"] == 2 and body["reason"] == "金额核算有误" and body["changed"] == ["row 1"]
    version = NoticeVersion.objects.get(notice=notice, number=2)
    assert version.content["rows"][0]["amount"] == "1300.00"
    assert "11010519491231002X" not in str(version.content) + str(Notice.objects.get().draft)


def test_the_page_names_dropped_columns(town):
    notice = _published(town)
    cells = [["张小明", "13812345678", "一组", 3, "新增", 1300, "2026-03-01"]]
    upload = sheet(["姓名", "联系电话", "村民小组", "家庭人口", "变动", "金额", "起始日期"], cells)
    with translation.override("zh-hans"):
        response = _client(town.staff).post(
            f"/disclosure/notices/{notice.pk}/correct/",
            {"sheet": upload, "reason": "只保留一户"},
            follow=True,
        )
    shown = _messages(response)
    assert "以下列属于个人隐私，未导入：联系电话" in shown
    assert NoticeVersion.objects.filter(notice=notice).count() == 2
    assert "13812345678" not in str(NoticeVersion.objects.get(notice=notice, number=2).content)


def test_a_file_that_is_not_xlsx_is_refused_clearly(town):
    notice = _published(town)
    before = _snapshot()
    csv = _file("姓名,村民小组,金额\n张小明,一组,1300\n".encode(), name="roster.csv")
    with translation.override("zh-hans"):
        with pytest.raises(content.ContentInvalid) as exc:
            services.roster_correct(actor=town.staff, notice=notice, file=csv, reason="更正")
        api = _client(town.staff).post(
            f"/api/v1/disclosure/notices/{notice.pk}/corrections/sheet",
            {"file": _file(b"\xd0\xcf\x11\xe0 an old xls", name="roster.xls"), "reason": "更正"},
        )
    assert "不是Excel工作簿（.xlsx）" in str(exc.value.message)
    assert api.status_code == 422 and api.json()["code"] == "content_invalid"
    assert "不是Excel工作簿（.xlsx）" in api.json()["message"]
    assert _snapshot() == before


def test_a_file_too_large_for_a_roster_is_refused_before_it_is_read(town, monkeypatch):
    monkeypatch.setattr(content, "MAX_SHEET_BYTES", 1000)
    notice = _published(town)
    before = _snapshot()
    big = _file(b"PK" + b"\0" * 2000)
    with translation.override("zh-hans"):
        response = _client(town.staff).post(
            f"/api/v1/disclosure/notices/{notice.pk}/corrections/sheet", {"file": big, "reason": "更正"}
        )
    assert response.status_code == 422 and "名单最多" in response.json()["message"]
    assert _snapshot() == before


def test_a_text_notice_has_no_roster_to_download_or_correct_from_a_sheet(town):
    # given a published text notice
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.TEXT, title="通知", body="明天开会"
        )
        services.notice_publish(actor=town.staff, notice=notice)
    client = _client(town.staff)
    before = _snapshot()
    # then there is no download, the manage page offers none, and a sheet is refused
    assert client.get(f"/disclosure/notices/{notice.pk}/roster.xlsx").status_code == 404
    assert client.get(f"/api/v1/disclosure/notices/{notice.pk}/roster.xlsx").status_code == 404
    assert "roster.xlsx" not in client.get(f"/disclosure/boards/{town.board.pk}/manage/").content.decode()
    with pytest.raises(content.ContentInvalid):
        services.roster_correct(
            actor=town.staff, notice=notice, file=sheet(["姓名", "金额"], [["张三", 1]]), reason="更正"
        )
    assert _snapshot() == before


def test_the_manage_page_offers_the_download_and_the_file_for_a_roster(town):
    notice = _published(town)
    html = _client(town.staff).get(f"/disclosure/boards/{town.board.pk}/manage/").content.decode()
    assert f'href="/disclosure/notices/{notice.pk}/roster.xlsx"' in html and "下载当前名单" in html
    assert f'enctype="multipart/form-data" action="/disclosure/notices/{notice.pk}/correct/"' in html
    assert 'name="sheet" accept=".xlsx"' in html


def test_the_sheet_correction_and_the_download_are_in_the_openapi_schema(town):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    sheet_post = paths["/api/v1/disclosure/notices/{notice_id}/corrections/sheet"]["post"]
    assert "multipart/form-data" in sheet_post["requestBody"]["content"]
    assert "201" in sheet_post["responses"]
    assert "get" in paths["/api/v1/disclosure/notices/{notice_id}/roster.xlsx"]


WHO = [("staff", True), ("township", True), ("other_staff", False), ("resident", False), (None, False)]


@pytest.mark.parametrize(("who", "allowed"), WHO)
def test_download_matrix(town, who, allowed):
    notice = _published(town)
    client = _client(getattr(town, who) if who else None)
    page = client.get(f"/disclosure/notices/{notice.pk}/roster.xlsx")
    api = client.get(f"/api/v1/disclosure/notices/{notice.pk}/roster.xlsx")
    if allowed:
        assert (page.status_code, api.status_code) == (200, 200)
        assert page.content and page["Content-Type"] == api["Content-Type"] == XLSX
        assert "attachment" in page["Content-Disposition"]
    elif who is None:
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
        assert api.status_code == 401
    else:
        assert (page.status_code, api.status_code) == (404, 404)


@pytest.mark.parametrize(("who", "allowed"), WHO)
def test_sheet_correction_matrix(town, who, allowed):
    # given a published roster and the download with one amount changed
    notice = _published(town)
    data = _download(_client(town.staff), notice)
    before = _snapshot()
    client = _client(getattr(town, who) if who else None)
    # when each user sends it on the page and through the API
    with clock.frozen(at("2026-03-05")):
        page = client.post(
            f"/disclosure/notices/{notice.pk}/correct/",
            {"sheet": _edited(data, row=2, header="金额", value=1300), "reason": "页面更正"},
        )
        api = client.post(
            f"/api/v1/disclosure/notices/{notice.pk}/corrections/sheet",
            {"file": _edited(data, row=2, header="金额", value=1400), "reason": "接口更正"},
        )
    if allowed:
        assert (page.status_code, api.status_code) == (302, 201)
        versions = NoticeVersion.objects.filter(notice=notice).order_by("number")
        assert [(v.number, v.reason) for v in versions] == [(1, ""), (2, "页面更正"), (3, "接口更正")]
        assert [v.content["rows"][0]["amount"] for v in versions] == ["1260.00", "1300.00", "1400.00"]
        return
    if who is None:
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
        assert api.status_code == 401
    else:
        assert (page.status_code, api.status_code) == (404, 404)
    assert _snapshot() == before


def test_publishing_and_confirming_on_the_page_say_what_happened_and_a_confirmed_roster_can_be_corrected(
    town,
):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.ALLOWANCE,
            title="3月名单",
            rows=ALLOWANCE_ROWS,
        )
    client = _client(town.staff)
    with translation.override("zh-hans"), clock.frozen(at("2026-03-02")):
        published = client.post(
            f"/disclosure/notices/{notice.pk}/publish/", {"window_days": "7"}, follow=True
        )
    notice.refresh_from_db()
    assert _messages(published) == [
        f"已公示。异议期为{notice.window_starts_on:%Y-%m-%d}至{notice.window_ends_on:%Y-%m-%d}。"
    ]
    with translation.override("zh-hans"), clock.frozen(at("2026-03-20")):
        confirmed = client.post(f"/disclosure/notices/{notice.pk}/confirm/", follow=True)
    assert _messages(confirmed) == ["已确认：公示结果成立，继续公开。"]
    # a confirmed roster still offers its correction form, with the download
    page = confirmed.content.decode()
    assert (
        f"/disclosure/notices/{notice.pk}/correct/" in page
        and f"/disclosure/notices/{notice.pk}/roster.xlsx" in page
    )
