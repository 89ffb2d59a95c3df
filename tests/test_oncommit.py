"""grassroots/oncommit.py: work after a commit, once per batch of items, never for what was rolled back."""

import datetime as dt

import pytest
from django.db import transaction
from django_tasks import task

from grassroots import clock, oncommit

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


# --- a task for the writer's commit ---------------------------------------------------------------------------

RAN: list[str] = []


@task()
def remember(word: str) -> None:
    RAN.append(word)


def test_with_the_database_queue_the_task_is_written_in_the_writers_transaction(
    settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    later = clock.now() + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks() as hooks:
        oncommit.enqueue_with_commit(remember, "kept", run_after=later)
        with pytest.raises(RuntimeError), transaction.atomic():
            oncommit.enqueue_with_commit(remember, "rolled back")
            raise RuntimeError
    # written at once, in the transaction (no hook waits for the commit), and rolled back with its savepoint
    assert hooks == []
    [row] = DBTaskResult.objects.all()
    assert row.args_kwargs["args"] == ["kept"] and row.run_after == later


def test_with_another_queue_the_task_is_handed_over_on_commit(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    RAN.clear()
    with django_capture_on_commit_callbacks(execute=True):
        oncommit.enqueue_with_commit(remember, "after", run_after=clock.now() + dt.timedelta(minutes=1))
        with pytest.raises(RuntimeError), transaction.atomic():
            oncommit.enqueue_with_commit(remember, "rolled back")
            raise RuntimeError
        assert RAN == []  # nothing before the commit
    assert RAN == ["after"]  # the immediate queue cannot wait: it runs at once, once committed
