"""The registry of import kinds: each app registers its own once (areas: tree and boundaries; workforce:
roster; cases: hotline), a taken name is refused, and a run's kind must be a registered one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots import clock
from grassroots.imports import kinds
from grassroots.imports.models import ImportRun
from grassroots.workforce.services import roster


def test_the_kinds_are_registered_once_each_and_a_taken_name_is_refused():
    assert [name for name, _label in kinds.choices()][:2] == ["tree", "boundaries"]
    assert {"roster", "hotline"} <= {name for name, _label in kinds.choices()}
    assert kinds.get("roster").importer is roster.roster_import_file
    roster.register_import_kind()  # a second ready() changes nothing
    assert [name for name, _label in kinds.choices()].count("roster") == 1
    other = kinds.ImportKind("roster", "x", roster.roster_import_file, roster.roster_max_bytes, bool)
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(other)
    with pytest.raises(LookupError):
        kinds.get("nothing")


@pytest.mark.parametrize("name", ["", "x" * (kinds.KIND_MAX_LENGTH + 1)])
def test_a_kind_name_must_fit_the_column(name):
    with pytest.raises(ValueError, match="characters"):
        kinds.register(kinds.ImportKind(name, "x", roster.roster_import_file, roster.roster_max_bytes, bool))
    assert name not in {n for n, _label in kinds.choices()}


@pytest.mark.django_db
def test_a_run_of_an_unregistered_kind_does_not_validate():
    run = ImportRun(
        kind="nothing", status="previewed", area_code="150825100001", file_sha256="0" * 64, file_size=0,
        created_at=clock.now(),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        run.full_clean(exclude=["actor", "report"])
    assert "kind" in caught.value.message_dict
    run.kind = "roster"
    run.full_clean(exclude=["actor", "report"])
