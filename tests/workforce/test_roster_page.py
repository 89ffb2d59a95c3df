"""The roster page: who may use it (404 outside the scope, 403 inside it without a managing role, nothing
changed on denial), the upload's checks, row-level errors with nothing written, check → confirm, and a
second import of the same file changing nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grassroots.accounts.models import AuditLog
from grassroots.imports.models import ImportRun as RosterImport
from grassroots.workforce.models import Assignment, GridWorker, WorkerDuty

from .conftest import OTHER_GRID, VILLAGE
from .test_roster import GOOD, workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = f"/grids/roster/{VILLAGE}/"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(client, data: bytes, name: str = "名册.xlsx", url: str = PAGE):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def counts():
    return (
        GridWorker.objects.count(),
        Assignment.objects.count(),
        WorkerDuty.objects.count(),
        RosterImport.objects.count(),
    )


def check_and_confirm(client, data: bytes):
    response = upload(client, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = RosterImport.objects.latest("id")
    preview = client.get(response.url).content.decode()
    confirmed = client.post(f"{response.url}confirm/", follow=True)
    return run, preview, confirmed.content.decode()


# --- who may use it ---------------------------------------------------------------------------------------

MANAGERS = ["village_staff", "township_staff", "administrator"]
IN_SCOPE_NOT_MANAGER = ["supervisor", "worker_user", "resident", "member_user"]


@pytest.mark.parametrize(
    ("who", "status"),
    [*((w, 200) for w in MANAGERS), *((w, 403) for w in IN_SCOPE_NOT_MANAGER), ("outside_staff", 404)],
)
@pytest.mark.parametrize("what", ["page", "template", "export"])
def test_reading_the_roster_page_and_downloads(world, who, status, what):
    url = {"page": PAGE, "template": f"{PAGE}template/", "export": f"{PAGE}export/"}[what]
    response = client_for(getattr(world, who)).get(url)
    assert response.status_code == status
    if status == 200 and what != "page":
        assert response["Content-Type"] == XLSX


@pytest.mark.parametrize(
    ("who", "status"),
    [*((w, 302) for w in MANAGERS), *((w, 403) for w in IN_SCOPE_NOT_MANAGER), ("outside_staff", 404)],
)
def test_uploading_a_roster(world, who, status):
    before = counts()
    response = upload(client_for(getattr(world, who)), workbook(GOOD))
    assert response.status_code == status
    after = counts()
    # a check writes no worker, whoever asks; only a manager's check is kept for confirmation
    assert after[:3] == before[:3]
    assert after[3] == before[3] + (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("who", "status"),
    [("township_staff", 404), ("supervisor", 403), ("resident", 403), ("outside_staff", 404)],
)
def test_only_the_uploader_confirms(world, who, status):
    upload(client_for(world.village_staff), workbook(GOOD))
    run = RosterImport.objects.get()
    before = counts()
    response = client_for(getattr(world, who)).post(f"{PAGE}runs/{run.pk}/confirm/")
    assert response.status_code == status
    assert counts() == before
    run.refresh_from_db()
    assert run.status == RosterImport.Status.PREVIEWED


def test_the_run_page_of_another_area_is_not_found(world):
    upload(client_for(world.village_staff), workbook(GOOD))
    run = RosterImport.objects.get()
    other = f"/grids/roster/{OTHER_GRID[:12]}/runs/{run.pk}/"
    assert client_for(world.outside_staff).get(other).status_code == 404
    assert client_for(world.outside_staff).get(f"{PAGE}runs/{run.pk}/").status_code == 404


# --- the check, the preview, the confirmation --------------------------------------------------------------


def test_check_previews_then_confirm_imports_and_a_second_import_changes_nothing(world):
    staff = client_for(world.village_staff)
    before = counts()
    run, preview, done = check_and_confirm(staff, workbook(GOOD))
    assert 'class="workers-created">3<' in preview and 'id="roster-confirm"' in preview
    assert "138****0001" in preview and "13800000001" not in preview  # phones masked on the preview
    run.refresh_from_db()
    assert run.status == RosterImport.Status.IMPORTED and run.content == b""
    assert "导入" in done and 'class="workers-created">3<' in done
    assert counts()[:3] == (before[0] + 3, before[1] + 3, before[2] + 2)
    assert AuditLog.objects.filter(action="roster.import").count() == 1
    # the same file again: the check says nothing will change, and confirming changes nothing
    middle = counts()
    run, preview, done = check_and_confirm(staff, workbook(GOOD))
    assert 'class="workers-created">0<' in preview and 'class="unchanged-rows">3<' in preview
    assert counts()[:3] == middle[:3]
    assert client_for(world.village_staff).post(f"{PAGE}runs/{run.pk}/confirm/").status_code == 302
    run.refresh_from_db()
    assert run.status == RosterImport.Status.IMPORTED  # a second confirmation is refused, nothing re-run


def test_a_broken_roster_shows_row_level_errors_in_chinese_and_writes_nothing(world):
    staff = client_for(world.village_staff)
    rows = [
        *GOOD,
        ["王五", "12345", "专职", "否", VILLAGE + "001", VILLAGE + "001", "网格员", "", ""],  # row 5
        ["赵六", "", "志愿者", "否", VILLAGE + "001", VILLAGE + "001", "网格员", "", ""],  # row 6
        ["外人", "", "专职", "否", OTHER_GRID, OTHER_GRID, "网格员", "", ""],  # row 7: another village
    ]
    before = counts()
    response = upload(staff, workbook(rows))
    run = RosterImport.objects.get()
    assert run.status == RosterImport.Status.REFUSED and run.content == b""
    body = staff.get(response.url).content.decode()
    assert counts()[:3] == before[:3]
    assert "3 个错误" in body and 'id="roster-confirm"' not in body
    assert "<td>5</td><td>B 手机号</td><td>手机号为 1 开头的 11 位数字" in body
    assert "<td>6</td><td>C 类别</td>" in body and "志愿者" in body
    assert "<td>7</td><td>E 所属区划代码</td>" in body
    # confirming a refused check is refused too
    staff.post(f"{PAGE}runs/{run.pk}/confirm/")
    assert counts()[:3] == before[:3]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("名册.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "请上传 Excel 工作簿（.xlsx）"),
        ("名册.xlsx", "姓名,手机号\n张三,1380000".encode(), "不是 Excel 工作簿"),
        ("名册.xlsx", b"PK\x03\x04broken", "已损坏"),
        ("名册.xlsx", b"", "空文件"),
    ],
    ids=["old-xls", "csv-renamed", "broken-zip", "empty"],
)
def test_the_upload_is_checked_before_it_is_read(world, name, data, message):
    before = counts()
    response = upload(client_for(world.village_staff), data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.WORKFORCE_ROSTER_MAX_BYTES = 1024
    data = workbook(GOOD * 30)
    response = upload(client_for(world.village_staff), data)
    assert response.status_code == 400 and "最多" in response.content.decode()
    assert counts()[3] == 0


def test_the_template_has_the_chinese_headers_and_imports_as_an_empty_roster(world):
    data = client_for(world.village_staff).get(f"{PAGE}template/").content
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [c.value for c in book["网格员"][1]] == [
        "姓名", "手机号", "类别", "党员", "所属区划代码", "网格代码", "角色", "开始日期", "职责",
    ]  # fmt: skip
    assert "说明" in book.sheetnames
    before = counts()
    response = upload(client_for(world.village_staff), data)
    assert response.status_code == 302
    assert counts()[:3] == before[:3]


def test_the_workforce_pages_link_the_roster_page_for_managers_only(world):
    nav = f'href="/grids/roster/{VILLAGE}/"'
    assert nav in client_for(world.village_staff).get(f"/grids/workload/{VILLAGE}/").content.decode()
    assert nav in client_for(world.village_staff).get("/grids/check-ins/").content.decode()
    supervisor_page = client_for(world.township_staff).get(f"/grids/workload/{VILLAGE}/").content.decode()
    assert 'data-nav="roster"' in supervisor_page  # township staff manage the workforce too
    assert 'data-nav="roster"' not in client_for(world.supervisor).get("/grids/patrols/").content.decode()
