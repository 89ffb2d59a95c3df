"""Seed the default service types and the official working calendar for the years chinese-calendar knows."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from grassroots.cases.seed import seed_categories

    seed_categories(apps.get_model("cases", "Category"), apps.get_model("cases", "CategoryLimit"))

    import chinese_calendar

    WorkingDay = apps.get_model("cases", "WorkingDay")
    CalendarYear = apps.get_model("cases", "CalendarYear")
    years = sorted({d.year for d in chinese_calendar.holidays})
    existing = set(WorkingDay.objects.values_list("date", flat=True))
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if day not in existing:
            rows.append(WorkingDay(date=day, is_working=False, note=str(name)[:100]))
    for day, name in chinese_calendar.workdays.items():
        if day not in existing:
            rows.append(WorkingDay(date=day, is_working=True, note=str(name)[:100]))
    WorkingDay.objects.bulk_create(rows, batch_size=500)
    for year in years:
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            continue
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinese-calendar"})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
