"""Factories for grid workers and assignments."""

from __future__ import annotations

import datetime as dt

import factory

from grassroots import fieldcrypt
from grassroots.areas.models import Grid
from grassroots.workforce.models import Assignment, GridWorker, WorkerKind


class GridWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridWorker

    name = factory.Sequence(lambda n: f"网格员{n}")
    phone = factory.Sequence(lambda n: f"171{n:08d}")
    phone_hash = factory.LazyAttribute(lambda o: fieldcrypt.keyed_hash(o.phone))
    kind = WorkerKind.FULL_TIME
    area_code = "150825100001001"


def assignment(
    worker: GridWorker, grid: Grid, role: str, started_on: dt.date, ended_on: dt.date | None = None
):
    return Assignment.objects.create(
        worker=worker,
        grid=grid,
        area_code=grid.area.code,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
    )
