"""Demo step: village boards (公开栏) with a year of notices of every kind (synthetic data).

Every village with village groups gets a board. 民主村 and a few more villages (``NOTICE_VILLAGES`` per
scale) get a year of notices through the disclosure services, with the clock moved to each date: monthly
finance statements, quarterly party and village affairs, subsidy and relief rosters, water-fee collection,
minimum-allowance changes with their 7-working-day window, objections from residents with answers, and
one corrected notice. Everything here is synthetic and says so in its text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, VillageGroup
from grassroots.disclosure import services
from grassroots.disclosure.models import (
    Attachment,
    Board,
    CatalogueItem,
    Frequency,
    Notice,
    NoticeKind,
    NoticeVersion,
    Objection,
    Section,
)
from grassroots.notifications.models import Notification

from .city import CITY_CODE, SEED_CODES
from .logins import PASSWORD
from .steps import DemoContext

NOTICE_VILLAGES = {"small": 4, "city": 12}
STAFF_USERNAME = "disclosure-clerk"
MARK = "（演示数据）"
# Bilingual boards (Mongolian beside the Chinese): those of the Urad banners' villages, where the Mongol herders
# live, and the second village with a year of notices, so that the small demo has one. Readings (every
# Mongolian text awaits a native speaker's review, docs/glossary-mn.md):
BILINGUAL_COUNTIES = ("150823", "150824", "150825")
MN_BOARD = (
    "ᠲᠣᠰᠬᠠᠨ\u202fᠤ ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ\u202fᠤᠨ ᠰᠠᠮᠪᠤᠷᠢ"  # tosqan-u kereg-ün ile tododqal-un samburi
)
MN_MARK = "(ᠦᠵᠦᠭᠦᠯᠬᠦ\u202fᠶᠢᠨ ᠮᠡᠳᠡᠡᠯ)"  # (üjügülkü-yin medeel): demo data
MN_TITLES = {
    NoticeKind.SUBSIDY: "ᠲᠠᠷᠢᠶᠠᠨ\u202fᠤ ᠭᠠᠵᠠᠷ\u202fᠤᠨ ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ",  # tariyan-u γajar-un tedkülge olγoqu ...
    NoticeKind.WATER_FEE: "ᠤᠰᠤᠨ\u202fᠤ ᠲᠥᠯᠪᠥᠷᠢ ᠬᠤᠷᠢᠶᠠᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ",  # usun-u tölböri quriyaqu ile tododqal
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class DisclosureStep:
    name = "disclosure"
    label = _("disclosure: village boards with a year of notices, objections and a correction")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        self.rng = ctx.rng(self.name)
        self.fake = ctx.faker(self.name)
        self.counts: Counter = Counter()
        villages = list(
            Area.objects.filter(level=Level.VILLAGE, code__startswith=CITY_CODE, village_groups__isnull=False)
            .distinct()
            .order_by("code")
        )
        if not villages:
            return {"boards": 0}
        minzhu = SEED_CODES.get("民主村")
        villages.sort(key=lambda a: (a.code != minzhu, a.code))
        clerk = self._clerk(villages)
        today = clock.today()
        start = dt.date(today.year - 1, today.month, 1)
        boards = []
        for village in villages:
            with clock.frozen(_at(start)):
                boards.append(
                    services.board_create(actor=clerk, village=village, name=f"{village.name}村务公开栏")
                )
            self.counts["boards"] += 1
        for position, board in enumerate(boards):
            if position == 1 or board.area_code.startswith(BILINGUAL_COUNTIES):
                services.board_languages_set(
                    actor=clerk, board=board, bilingual=True, name_mn=f"{board.area.name} {MN_BOARD}"
                )
                board.bilingual = True
                self.counts["bilingual boards"] += 1
        for board in boards[: NOTICE_VILLAGES.get(ctx.scale.name, 4)]:
            self._year(board, clerk, start, today)
        self.counts["notices"] = Notice.objects.filter(board__in=boards).count()
        return dict(sorted(self.counts.items()))

    def reset(self, ctx: DemoContext) -> None:
        boards = Board.objects.filter(area_code__startswith=CITY_CODE)
        notices = Notice.objects.filter(board__in=boards)
        Notification.objects.filter(target_type="disclosure.notice").delete()
        Objection.objects.filter(notice__in=notices).delete()
        NoticeVersion.objects.filter(notice__in=notices).delete()
        Attachment.objects.filter(notice__in=notices).delete()
        notices.delete()
        CatalogueItem.objects.filter(board__in=boards).delete()
        boards.delete()
        User.objects.filter(username=STAFF_USERNAME).delete()

    # --- people ------------------------------------------------------------------------------------------

    def _clerk(self, villages) -> User:
        user, _created = User.objects.get_or_create(
            username=STAFF_USERNAME,
            defaults={"display_name": "村务公开示例管理员", "password": make_password(PASSWORD)},
        )
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=Role.VILLAGE_STAFF, area=v, area_code=v.code) for v in villages],
            ignore_conflicts=True,
        )
        return user

    def _residents(self, board) -> list[User]:
        grants = RoleGrant.objects.filter(role=Role.RESIDENT, area_code__startswith=board.area_code)
        return [g.user for g in grants.select_related("user")[:20]]

    # --- a year of notices ----------------------------------------------------------------------------------

    def _publish(self, notice, clerk, day):
        with clock.frozen(_at(day)):
            notice = services.notice_publish(actor=clerk, notice=notice)
        self.counts[f"notices_{notice.kind}"] += 1
        return notice

    def _rows(self, board, kind: str, n: int) -> list[dict]:
        groups = list(VillageGroup.objects.filter(village=board.area).values_list("name", flat=True))
        rows = []
        for _i in range(n):
            row = {
                "name": self.fake.name(),
                "village_group": self.rng.choice(groups),
                "household_size": self.rng.randint(1, 6),
            }
            if kind == NoticeKind.WATER_FEE:
                due = Decimal(self.rng.randint(60, 400)) + Decimal(self.rng.choice([0, 50])) / 100
                paid = due if self.rng.random() < 0.8 else (due / 2).quantize(Decimal("0.01"))
                row.update({"due": str(due), "paid": str(paid)})
                del row["household_size"]
            elif kind == NoticeKind.ALLOWANCE:
                change = self.rng.choice(["新增", "新增", "调整", "停保"])
                amount = Decimal(self.rng.randint(300, 900)) * row["household_size"] / 2
                row.update({"change": change, "amount": str(amount.quantize(Decimal("0.01")))})
                if change == "停保":
                    row.update({"amount": "0", "previous_amount": str(amount), "reason": "家庭收入超过标准"})
                elif change == "调整":
                    row.update({"previous_amount": str(amount - 100), "reason": "家庭人口变化"})
            else:
                row["amount"] = str(Decimal(self.rng.randint(100, 3000)))
                row["period"] = "本季度"
            rows.append(row)
        return rows

    def _statement(self, month: dt.date) -> dict:
        income = [Decimal(self.rng.randint(5000, 40000)), Decimal(self.rng.randint(500, 8000))]
        expense_items = [Decimal(self.rng.randint(300, 3000)) for _i in range(2)]
        roads = Decimal(self.rng.randint(1000, 9000))
        office = sum(expense_items, Decimal(0))
        return {
            "period": f"{month.year}年{month.month}月",
            "opening_balance": str(Decimal(self.rng.randint(10000, 90000))),
            "lines": [
                {"no": "1", "kind": "income", "item": "上级转移支付", "amount": str(income[0])},
                {"no": "2", "kind": "income", "item": "集体资产发包租赁收入", "amount": str(income[1])},
                {"no": "3", "kind": "expense", "item": "办公经费", "amount": str(office)},
                {
                    "no": "3.1",
                    "kind": "expense",
                    "item": "水电费",
                    "amount": str(expense_items[0]),
                    "parent": "3",
                },
                {
                    "no": "3.2",
                    "kind": "expense",
                    "item": "办公用品",
                    "amount": str(expense_items[1]),
                    "parent": "3",
                },
                {"no": "4", "kind": "expense", "item": "村道维修", "amount": str(roads)},
            ],
            "income_total": str(sum(income, Decimal(0))),
            "expense_total": str(office + roads),
        }

    def _year(self, board: Board, clerk: User, start: dt.date, today: dt.date) -> None:
        items = {c.frequency: c for c in board.catalogue.all()}
        residents = self._residents(board)
        corrected = False
        month = start
        while month < dt.date(today.year, today.month, 1):
            day = month + dt.timedelta(days=self.rng.randint(2, 8))
            statement_month = dt.date(month.year, month.month, 1) - dt.timedelta(days=1)
            finance = services.notice_create(
                actor=clerk,
                board=board,
                kind=NoticeKind.FINANCE,
                title=f"{statement_month.year}年{statement_month.month}月财务收支公开{MARK}",
                statement=self._statement(statement_month),
                catalogue_item=items.get(Frequency.MONTHLY),
            )
            self._publish(finance, clerk, day)
            if month.month in (1, 4, 7, 10):
                for section, title, body in (
                    (Section.PARTY, "党员发展和党费收缴情况", "本季度发展预备党员1名，党费按时足额收缴。"),
                    (
                        Section.VILLAGE,
                        "村级项目和惠民政策落实情况",
                        "本季度完成村道硬化800米，发放各类补贴。",
                    ),
                ):
                    text = services.notice_create(
                        actor=clerk,
                        board=board,
                        kind=NoticeKind.TEXT,
                        section=section,
                        title=f"{day.year}年第{(month.month - 1) // 3 + 1}季度{title}{MARK}",
                        body=body + "本内容为演示数据。",
                        catalogue_item=items.get(Frequency.QUARTERLY) if section == Section.VILLAGE else None,
                    )
                    self._publish(text, clerk, day)
                for kind, label in (
                    (NoticeKind.SUBSIDY, "耕地地力保护补贴发放"),
                    (NoticeKind.WATER_FEE, "水费收取"),
                ):
                    roster = services.notice_create(
                        actor=clerk,
                        board=board,
                        kind=kind,
                        title=f"{day.year}年{day.month}月{label}公示{MARK}",
                        title_mn=f"{day.year}.{day.month} {MN_TITLES[kind]} {MN_MARK}"
                        if board.bilingual
                        else "",
                        rows=self._rows(board, kind, self.rng.randint(6, 15)),
                        window_days=0 if kind == NoticeKind.WATER_FEE else 5,
                    )
                    self._publish(roster, clerk, day)
                    if kind == NoticeKind.SUBSIDY and not corrected:
                        rows = list(roster.draft["rows"])
                        rows[0] = {**rows[0], "amount": str(Decimal(rows[0]["amount"]) + 100)}
                        with clock.frozen(_at(day + dt.timedelta(days=1))):
                            services.notice_correct(
                                actor=clerk,
                                notice=roster,
                                reason="第1户补贴面积核算有误，更正金额",
                                rows=rows,
                            )
                        corrected = True
                        self.counts["corrections"] += 1
            if month.month in (3, 9):
                allowance = services.notice_create(
                    actor=clerk,
                    board=board,
                    kind=NoticeKind.ALLOWANCE,
                    title=f"{day.year}年{day.month}月低保调整初审公示{MARK}",
                    rows=self._rows(board, NoticeKind.ALLOWANCE, self.rng.randint(4, 10)),
                )
                allowance = self._publish(allowance, clerk, day)
                self._objection(allowance, clerk, residents, day)
            if month.month == 6:
                relief = services.notice_create(
                    actor=clerk,
                    board=board,
                    kind=NoticeKind.RELIEF,
                    title=f"{day.year}年临时救助发放公示{MARK}",
                    rows=self._rows(board, NoticeKind.RELIEF, self.rng.randint(2, 5)),
                )
                self._publish(relief, clerk, day)
            month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)

    def _objection(self, notice, clerk, residents, day) -> None:
        if residents:
            with clock.frozen(_at(day + dt.timedelta(days=1), 15)):
                objection = services.objection_raise(
                    actor=self.rng.choice(residents),
                    notice=notice,
                    text="名单中有一户家里新买了车，是否还符合条件？（演示数据）",
                )
            with clock.frozen(_at(day + dt.timedelta(days=3), 11)):
                services.objection_answer(
                    actor=clerk,
                    objection=objection,
                    answer="经入户核查，车辆为残疾人代步车，符合条件。（演示数据）",
                )
            self.counts["objections"] += 1
        if notice.window_ends_on and notice.window_ends_on < clock.today():
            with clock.frozen(_at(notice.window_ends_on + dt.timedelta(days=1))):
                services.notice_confirm(actor=clerk, notice=notice)


def clerk_hint() -> tuple[str, list[str]] | None:
    """(the demo disclosure clerk's username, the villages whose boards have notices), for the login table
    that ``demo_load`` prints; None when this step has not run. The role logins of the table are a community,
    a township and a county without such boards nearby, so without this line nobody finds them."""
    if not User.objects.filter(username=STAFF_USERNAME).exists():
        return None
    names = (
        Board.objects.filter(area_code__startswith=CITY_CODE, notices__isnull=False)
        .distinct()
        .order_by("area_code")
        .values_list("area__name", flat=True)
    )
    return STAFF_USERNAME, list(names)
