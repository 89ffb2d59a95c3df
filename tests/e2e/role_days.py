"""Each role's day (issue 14, done-when): every demo login starts at the home page and reaches each waiting
item's action in at most two taps, on a phone (390 × 844) and at a desk (1366 × 900), and no page on the way
is wider than the screen.

Run by tests/e2e/test_phone_layout.py on the demo city it builds (small scale): one live server, one demo. For each login and size: open "/", and for
each group of waiting work follow every item shown (the first tap) and require its action on the page it
opens (the second tap: the action's button or the folded action's summary, visible), and follow the group's
own link (the whole list, the first tap) and require links to the items there (the second tap). The header's
menu is one line on the phone, folded behind its button, and open in one row at the desk.

The demo city has no objection waiting, so one is raised first (a resident objects to a notice the
disclosure clerk publishes): the clerk's journey then covers answering it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.demo.disclosure import STAFF_USERNAME
from grassroots.demo.logins import LOGINS, PASSWORD
from grassroots.disclosure import services as disclosure
from grassroots.disclosure.models import Board, NoticeKind
from tests.factories import user_with

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}
# What each group's items lead to, found on the page the first tap opens: the action a second tap takes.
# "{anchor}" is the item's fragment (the row of a list page: a callback, a check-in, an objection).
ACTIONS = {
    "cases-accept": "details.action-accept > summary",
    "cases-dispatch": "details.action-dispatch > summary",
    "cases-handle": "details.action-handle > summary",
    "cases-verify_pass": "details.action-verify_pass > summary",
    "cases-approve_extension": "details.action-approve_extension > summary",
    "cases-rate": "form.rate-form button[type=submit]",
    "callbacks": "{anchor} form.callback-form button[type=submit]",
    "topics": "#act form button[type=submit], #act details > summary",
    "objections": "{anchor} button[name=answer_objection]",
    "check-ins": "{anchor} button.confirm",
    # a board's manager adds the due notice on its manage page; oversight reads the board's public page
    "notices": "#add-notice form button[type=submit], .catalogue, h1",
}
# What a group's own link (its whole list) shows, each leading to an item's action page.
LIST_LINKS = "main a[href*='/cases/'], main .callback-list [data-callback], main [data-check-in], main a[href*='/disclosure/'], main a[href*='/deliberation/topics/']"
GROUPS = """() => Array.from(document.querySelectorAll('[data-waiting]')).map(s => ({
  key: s.dataset.waiting,
  list: s.querySelector('h2 a').href,
  items: Array.from(s.querySelectorAll('.waiting-items li > a')).map(a => a.href),
}))"""
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _objection_for_the_clerk() -> None:
    """A notice the clerk publishes today, and a resident of its village objecting to it."""
    clerk = User.objects.get(username=STAFF_USERNAME)
    codes = RoleGrant.objects.filter(user=clerk).values("area_code")
    board = Board.objects.filter(area_code__in=codes).order_by("pk").first()
    notice = disclosure.notice_create(
        actor=clerk, board=board, kind=NoticeKind.TEXT, title="村道硬化方案", body="村道硬化方案公示。"
    )
    notice = disclosure.notice_publish(actor=clerk, notice=notice, window_days=5)
    resident = user_with(Role.RESIDENT, board.area_code)
    disclosure.objection_raise(actor=resident, notice=notice, text="路线经过我家门口，请再议。")


def _fits(page, where: str, problems: list[str]) -> None:
    scroll_width, inner_width = page.evaluate(WIDTHS)
    if scroll_width > inner_width:
        problems.append(f"{where}: {scroll_width} px wide on a {inner_width} px screen")


def _action_on(_page, key: str, url: str) -> str:
    fragment = urlsplit(url).fragment
    return ACTIONS[key].replace("{anchor}", f"#{fragment}" if fragment else "main")


def role_days(origin: str, browser) -> None:
    """Every role reaches each waiting item in two taps on a phone and at a desk (see the module's doc), on
    the demo city already built."""
    # given an objection waiting for the disclosure clerk
    _objection_for_the_clerk()
    logins = [x.username for x in LOGINS if x.role is not None] + [STAFF_USERNAME]
    problems: list[str] = []
    reached: dict[str, set[str]] = {}
    for username in logins:
        for size, viewport in SIZES.items():
            # layout, not the offline cache (tests/e2e/test_offline.py): no service worker fills its cache meanwhile
            context = browser.new_context(
                locale="zh-CN", viewport=viewport, is_mobile=size == "phone", service_workers="block"
            )
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.goto(f"{origin}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            # when they open the home page
            page.goto(f"{origin}/")
            where = f"{username} {size}"
            _fits(page, f"{where} /", problems)
            # the header is one line on the phone, its links folded behind the menu button; open at the desk
            menu = page.locator("header .menu > summary")
            if size == "phone":
                assert page.locator("header").bounding_box()["height"] < 70, where
                expect(page.locator("header .menu nav")).to_be_hidden()
                menu.click()
                expect(page.locator("header .menu nav a").first).to_be_visible()
            else:
                expect(menu).to_be_hidden()
                expect(page.locator("header .menu nav a").first).to_be_visible()
            groups = page.evaluate(GROUPS)
            # then each item shown opens on its action (first tap), which is there to take (second tap)
            for group in groups:
                key = group["key"]
                reached.setdefault(username, set()).add(key)
                opened = (
                    ""  # the items of a list page (callbacks, check-ins) are rows of one page: open it once
                )
                for url in group["items"]:
                    path = url.split("#")[0]
                    if path != opened:
                        response = page.goto(path)
                        if response is None or response.status != 200:
                            problems.append(
                                f"{where} {key} {url}: {response.status if response else 'no answer'}"
                            )
                            continue
                        opened = path
                        _fits(page, f"{where} {path[len(origin) :]}", problems)
                    if not page.locator(_action_on(page, key, url)).first.is_visible():
                        problems.append(f"{where} {key}: no action at {url[len(origin) :]}")
                # and the group's own link (first tap) lists the items, each one more tap from its action
                response = page.goto(group["list"])
                if response is None or response.status != 200:
                    problems.append(f"{where} {key} list: {response.status if response else 'no answer'}")
                    continue
                if page.locator(LIST_LINKS).count() == 0:
                    problems.append(f"{where} {key}: the list {group['list'][len(origin) :]} shows no item")
                _fits(page, f"{where} {group['list'][len(origin) :]}", problems)
            context.close()
    assert not problems, "\n".join(problems)
    # the demo gives the roles work of every kind the home page gathers
    everything = set().union(*reached.values())
    assert {"cases-accept", "cases-dispatch", "cases-handle", "cases-verify_pass", "cases-rate", "callbacks",
            "check-ins", "notices", "objections", "cases-overdue"} <= everything, everything  # fmt: skip
    assert "objections" in reached[STAFF_USERNAME]
