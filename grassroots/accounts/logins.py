"""What a login is: one normal form of whatever people type into the login field, the account it names, and
how failed logins are counted.

People type their login in many spellings: ``" gw3"``, ``"GW3"``, ``171-0000-9991``, ``+86 171 0000 9991``,
``(171)0000-9991``, full-width ``１７１００００９９９１``. Every spelling of one account is that account, for
logging in (``backends.PhoneOrUsernameBackend``: the page, the admin and the API token endpoint all
authenticate through it) and for counting failures (django-axes reads the account through
:func:`account_key`, ``AXES_USERNAME_CALLABLE``), so a new spelling neither opens a locked account nor starts a
fresh count.

Failures are counted per account, from any address, and per address, over any accounts
(:class:`LoginAttempts`, ``AXES_HANDLER``): ``AXES_FAILURE_LIMIT`` failures of one account lock that account,
``AXES_ADDRESS_FAILURE_LIMIT`` failures from one address lock that address (higher, because a village office or
a mobile network puts many people behind one address), both for ``AXES_COOLOFF_TIME``.
"""

from __future__ import annotations

import re
import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from grassroots import personal

# What people put between the digits of a phone number (after NFKC: full-width forms are ASCII by then).
_PHONE_PUNCTUATION = re.compile(r"[\s\-‐‑‒–—―.·()\[\]/]+")
_PHONE = re.compile(r"(?:\+?86|0086)?1\d{10}")

LOCKED_OUT_MESSAGE = _(
    "Too many failed logins for this account or from this address. Wait 15 minutes and try again, "
    "or ask your administrator to reset your password."
)


def normalise_login(raw: str | None) -> str:
    """The normal form of a login: a mainland mobile number as its 11 digits, anything else trimmed and in
    lower case, with full-width characters as their ASCII forms."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    compact = _PHONE_PUNCTUATION.sub("", text)
    if _PHONE.fullmatch(compact):
        return personal.normalise_phone(compact)
    return text.lower()


def user_for_login(raw: str | None):
    """The account a login names, in any spelling, or None. A username is matched as written first, then
    regardless of case when only one account has it so; a mobile number through its keyed hash."""
    User = get_user_model()
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    user = User.objects.filter(username=text).first()
    if user is not None:
        return user
    same_but_case = list(User.objects.filter(username__iexact=text)[:2])
    if len(same_but_case) == 1:
        return same_but_case[0]
    key = normalise_login(text)
    if key.isdigit() and len(key) == 11:
        return User.objects.filter(phone_hash=personal.phone_hash(key)).first()
    return None


def account_key(request, credentials: dict | None) -> str | None:
    """What django-axes counts failures under: the account's username when the login names one, else the
    login's normal form (failures for logins that name nobody are counted too, each spelling together)."""
    raw = (credentials or {}).get("username")  # every authentication here passes its credentials
    if raw is None:
        return None
    cache = request.__dict__.setdefault("_login_account_keys", {}) if request is not None else {}
    if raw not in cache:
        user = user_for_login(raw)
        cache[raw] = user.get_username() if user is not None else normalise_login(raw)
    return cache[raw]


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginAttempts(AxesDatabaseHandler):
    """django-axes' database handler, counting per account and per address with a limit each.

    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``: axes keeps one row per (account, address,
    browser) and hands back one set of rows per parameter, in that order.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_account, by_address = (_failures(rows) for rows in self.get_user_attempts(request, credentials))
        if by_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(by_account, get_failure_limit(request, credentials))
        return by_account

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A good login forgives that account's failures only, not those of others from the same address."""
        by_account = self.filter_user_attempts(request, credentials)[0]
        count, _rows = by_account.delete()
        return count


def client_address(request) -> str | None:
    """The address failures are counted under (``AXES_CLIENT_IP_CALLABLE``): the one the proxy in front
    names in ``CLIENT_IP_HEADER`` (its last entry, the one the nearest proxy wrote), else the peer's."""
    header = settings.CLIENT_IP_HEADER
    if header:
        named = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        last = named.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
