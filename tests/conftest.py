import importlib
import os

import pytest
from hypothesis import settings as hypothesis_settings

from grassroots import fieldcrypt
from tests.once import FAST_HASHERS

# Random tests are reproducible under CI: the same examples on every run and machine, none replayed from a
# local example database, so that a failure there is a real bug and not a new draw. Locally they keep
# exploring (the default profile); `HYPOTHESIS_PROFILE=ci` reproduces a CI run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


def _postgresql_flush_by_delete() -> None:
    """Empty PostgreSQL's test database with DELETE, not TRUNCATE, after a transactional test.

    Django empties the database after every transactional test (a live server, another process) with one
    ``TRUNCATE`` of its 104 tables, which gives each table and index new files: 4.7 s of the server's time
    per test here, against 0.02–0.2 s for a ``DELETE`` of each table (the tables hold a test's few rows). The
    result is the same empty database: the foreign keys are deferrable and checked at the flush's commit; a
    table whose rows a trigger keeps (the audit log) is still truncated, which row triggers do not see; a
    flush that resets the sequences keeps Django's ``TRUNCATE … RESTART IDENTITY``."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE event_manipulation = 'DELETE' AND event_object_schema = current_schema()"
            )
            kept = {table for (table,) in cursor.fetchall()}
        statements = ["SET CONSTRAINTS ALL DEFERRED"]
        statements += [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
            for table in tables
            if table not in kept
        ]
        guarded = [table for table in tables if table in kept]
        return statements + (truncate(self, style, guarded, allow_cascade=allow_cascade) if guarded else [])

    DatabaseOperations.sql_flush = sql_flush


_postgresql_flush_by_delete()


# fixtures through which a test reaches the database under test (pytest-django blocks it for any other test)
DATABASE_FIXTURES = {
    "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server",
    "django_db_setup",
}  # fmt: skip


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database under test: the others never open it and give the same "
        "result on either database (.ci/run runs them in its SQLite run, not again in its PostgreSQL run)",
    )


def uses_the_database(item) -> bool:
    """Whether ``item`` may open the database under test: a ``django_db`` mark, a database fixture (directly
    or through another fixture), or a Django test case class."""
    if item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    return cls is not None and issubclass(cls, TransactionTestCase)


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering (transactional tests last)
def pytest_collection_modifyitems(config, items):
    """Leave out what ``--database-tests-only`` asks to, and start the tests marked ``long`` first.

    xdist hands the tests out in this order: a test of several minutes (the demo city's crawl of every
    login) handed out last kept one worker busy alone at the end of a run while the other had nothing left.
    Started first, it overlaps the rest. Any order is safe: after a transactional test the migrations' rows
    are put back (``pytest_runtest_teardown`` below)."""
    if config.getoption("--database-tests-only"):
        left = [item for item in items if not uses_the_database(item)]
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = [item for item in items if uses_the_database(item)]
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable: the rest keep their order


def _flushed_after(item) -> bool:
    """Whether pytest-django empties the database after ``item`` (a transactional test or a live server)."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has emptied the database, put back what the migrations seeded (the service
    types and the official calendar): pytest-django runs such tests after the others, but a selection (-k,
    --lf, a worker's share) may not keep that order, and every later test must find the database as migrated."""
    yield
    if nextitem is None or not _flushed_after(item):
        return  # nothing later needs it (after the last test the test database is gone)
    import chinese_calendar
    from django.db import transaction
    from pytest_django.plugin import blocking_manager_key

    from tests import world

    with item.config.stash[blocking_manager_key].unblock(), transaction.atomic():  # one commit, not 100
        world.seed_case_reference(years=tuple(sorted({day.year for day in chinese_calendar.holidays})))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL's test database does not wait for the disk at each commit (``synchronous_commit=off``):
    a transactional test commits at every request of its live server, and each commit waited for the WAL to
    reach the disk. A crash could lose the last commits of a database that is dropped anyway."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(autouse=True, scope="session")
def _media_of_the_session(tmp_path_factory):
    """Photos are written the moment they are stored, before any commit (grassroots/photos.py): a test that
    names no MEDIA_ROOT of its own writes them into a directory of the session's, never into var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fresh_keys(settings):
    """Each test starts from the configured field keys (some tests rotate them)."""
    fieldcrypt.reset_keys()
    yield
    fieldcrypt.reset_keys()


@pytest.fixture(autouse=True)
def _language_kept():
    """Each test ends in the language it started in (the default, or a module's ``translation.override``):
    a page asked for with Accept-Language leaves that language active in the test's thread
    (LocaleMiddleware activates it and nothing deactivates it), and the next test on the same worker would
    read its messages in it."""
    from django.utils import translation

    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a key naming the newest rows of another test's database (rolled
    back, its ids used again) must not answer for this one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_axes_lockouts(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_routing_index(settings):
    """Each test routes against its own database: no spatial index survives from another test, and the
    boundary version is checked on every call (production checks at most once a second)."""
    from grassroots.areas import routing

    settings.ROUTING_VERSION_CHECK_SECONDS = 0
    routing.reset_index()


@pytest.fixture(autouse=True)
def _fresh_case_reference(settings):
    """Each test reads the service types and the calendar of its own database (a process keeps a copy);
    within a test, changes reach it through the signals (the stored version is read once, so that pinned
    query counts do not depend on how long a test takes)."""
    from grassroots.cases import reference

    settings.CASES_REFERENCE_CHECK_SECONDS = 3600
    reference.reset()
    yield
    reference.reset()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design; every test hashes with MD5 (production keeps Argon2:
    tests/accounts/test_settings.py). This is the only place tests set the hashers; builds outside a test
    (tests/once.py) use the same list."""
    settings.PASSWORD_HASHERS = list(FAST_HASHERS)


@pytest.fixture
def audit_log_flushable(transactional_db):
    """For tests that commit for real (a live server, another process reading the database): on SQLite the
    audit log's triggers refuse the DELETE with which the test database is emptied afterwards, so lift them
    just long enough to empty the log. (PostgreSQL's flush truncates, which row triggers do not see.)
    tests/e2e and tests/backups use it for every test."""
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    append_only = importlib.import_module("grassroots.accounts.migrations.0002_auditlog_append_only")
    with connection.cursor() as cursor:
        for sql in append_only.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM accounts_auditlog")
        for sql in append_only.SQLITE:
            cursor.execute(sql)
