"""grassroots/oncommit.py: work after a commit, once per batch of items, never for what was rolled back."""

import pytest
from django.db import transaction

from grassroots import oncommit

pytestmark = pytest.mark.django_db


def test_alone_each_item_is_flushed_by_itself_after_the_commit(django_capture_on_commit_callbacks):
    # given
    calls: list[list[str]] = []
    # when
    with django_capture_on_commit_callbacks(execute=True):
        oncommit.after_commit(calls.append, "a")
        oncommit.after_commit(calls.append, "b")
        assert calls == []  # nothing before the commit
    # then
    assert calls == [["a"], ["b"]]


def test_a_batch_flushes_once_with_what_committed_and_leaves_out_what_was_rolled_back(
    django_capture_on_commit_callbacks,
):
    # given
    facts: list[list[str]] = []
    hooks: list[list[str]] = []
    # when
    with django_capture_on_commit_callbacks(execute=True), oncommit.batched():
        oncommit.after_commit(facts.append, "first")
        oncommit.after_commit(hooks.append, "hook")
        with pytest.raises(RuntimeError), transaction.atomic():
            oncommit.after_commit(facts.append, "rolled back")
            raise RuntimeError
        with oncommit.batched():  # a nested block joins the outer one
            oncommit.after_commit(facts.append, "second")
        assert facts == []
    # then
    assert facts == [["first", "second"]]
    assert hooks == [["hook"]]


def test_a_batch_whose_items_were_all_rolled_back_flushes_nothing(django_capture_on_commit_callbacks):
    calls: list[list[str]] = []
    with (
        django_capture_on_commit_callbacks(execute=True),
        oncommit.batched(),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        oncommit.after_commit(calls.append, "gone")
        raise RuntimeError
    assert calls == []
