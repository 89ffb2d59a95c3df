"""Which closed cases are due a callback survey (回访): the one definition, read by the desk's list
(``selectors.callback_list_for``), the workflow's guard (``workflow._due_a_callback``) and the notice to the
desk when a case closes (``alerts.callback_due``).

A case is due a callback when, in its current closure round:

- it is closed (not merged into another case as a duplicate);
- it came in by phone, hotline, walk-in or a staff visit (its reporter usually has no login and can never
  rate it), or it was reported by the reporter themself (web form or app) and falls in the sample: a share
  of them, :func:`sample_share`, chosen by a hash of the case id (:func:`sampled`), so that the same case is
  always in or out whatever the day and a test can say which;
- the reporter can be reached: a phone was taken with the report, or the reporter has a login; and did not
  ask to stay anonymous (staff never see who an anonymous reporter is, so cannot call them);
- the round is not rated yet (by the reporter, or by a callback that reached them), and fewer than
  :func:`max_attempts` calls have failed to reach the reporter.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Mod

from .models import CallbackAttempt, CallbackOutcome, Case, CloseReason, Source, State

# Reporters who came through a desk: always called back.
CALLED_SOURCES = frozenset({Source.PHONE, Source.HOTLINE, Source.WALK_IN, Source.VISIT})
# Reporters who reported themselves: a sample of them.
SAMPLED_SOURCES = frozenset({Source.MOBILE_WEB, Source.API})

# Knuth's multiplicative hash of the id, modulo 2^32, in 10 000 buckets: consecutive ids scatter evenly.
HASH_MULTIPLIER = 2654435761
HASH_MODULUS = 2**32
BUCKETS = 10_000

DEFAULT_SAMPLE_SHARE = "0.1"
DEFAULT_MAX_ATTEMPTS = 3


def sample_share() -> Decimal:
    """``CASES_CALLBACK_SAMPLE_SHARE``: the share (0 to 1) of self-reported cases called back; 0.1 by default."""
    raw = getattr(settings, "CASES_CALLBACK_SAMPLE_SHARE", DEFAULT_SAMPLE_SHARE)
    try:
        share = Decimal(str(raw))
    except InvalidOperation:
        share = Decimal(DEFAULT_SAMPLE_SHARE)
    return min(max(share, Decimal(0)), Decimal(1))


def max_attempts() -> int:
    """``CASES_CALLBACK_MAX_ATTEMPTS``: after this many calls that did not reach the reporter, the case leaves
    the list (3 by default)."""
    return max(1, int(getattr(settings, "CASES_CALLBACK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def _threshold(share: Decimal | None) -> int:
    chosen = sample_share() if share is None else Decimal(str(share))
    return int((chosen * BUCKETS).to_integral_value(ROUND_HALF_UP))


def sample_bucket(pk: int) -> int:
    """The case's bucket, 0 to 9 999: ``(id × 2654435761 mod 2^32) mod 10 000``."""
    return (pk * HASH_MULTIPLIER) % HASH_MODULUS % BUCKETS


def sampled(pk: int, share: Decimal | None = None) -> bool:
    """Whether a self-reported case with this id falls in the sample: its bucket is below share × 10 000."""
    return sample_bucket(pk) < _threshold(share)


def _bucket_expression():
    # The same formula as sample_bucket, in SQL (the tests hold the two to each other).
    product = F("pk") * Value(HASH_MULTIPLIER)
    return Mod(Mod(product, Value(HASH_MODULUS)), Value(BUCKETS), output_field=IntegerField())


def _unanswered_calls():
    """Calls of the case's current round that did not reach the reporter (a subquery of the case)."""
    calls = (
        CallbackAttempt.objects.filter(
            case=OuterRef("pk"), round=OuterRef("reopen_count") + 1, outcome=CallbackOutcome.NOT_REACHED
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(calls, output_field=IntegerField()), Value(0))


def due(queryset: QuerySet[Case], *, share: Decimal | None = None) -> QuerySet[Case]:
    """The cases of ``queryset`` due a callback now, each annotated with ``callback_tries`` (the calls of this
    round that did not reach the reporter). Unscoped: the caller scopes ``queryset``."""
    qs = queryset.filter(state=State.CLOSED).exclude(close_reason=CloseReason.MERGED)
    qs = qs.exclude(rated_round=F("reopen_count") + 1)
    # reachable: a phone taken with the report, or a login; and not anonymous (who reported is shown to no one)
    qs = qs.filter(~Q(reporter_phone_hash="") | Q(reporter__isnull=False), is_anonymous=False)
    qs = qs.annotate(callback_bucket=_bucket_expression(), callback_tries=_unanswered_calls())
    qs = qs.filter(
        Q(source__in=CALLED_SOURCES) | Q(source__in=SAMPLED_SOURCES, callback_bucket__lt=_threshold(share))
    )
    return qs.filter(callback_tries__lt=max_attempts())


def is_due(case: Case) -> bool:
    """Whether ``case`` (as stored) is due a callback now."""
    return due(Case.objects.filter(pk=case.pk)).exists()
