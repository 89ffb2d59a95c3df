"""The working calendar moves here from the cases app (disclosure counts its windows with it too). The tables
stay as they are (``db_table`` keeps their names): this migration only tells Django's model state that they are
worktime's now; cases 0019 takes them out of the cases app's state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('cases', '0018_category_name_en'),  # the tables exist (cases 0001, 0005, 0011)
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='ReferenceVersion',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('version', models.PositiveBigIntegerField(default=0)),
                ('changed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'reference data version',
                'db_table': 'cases_referenceversion',
            },
        ),
        migrations.CreateModel(
            name='WorkingDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True, verbose_name='date')),
                ('is_working', models.BooleanField(verbose_name='working day')),
                ('note', models.CharField(blank=True, max_length=100, verbose_name='note')),
                ('is_local', models.BooleanField(default=False, verbose_name='local override')),
            ],
            options={
                'verbose_name': 'calendar day',
                'verbose_name_plural': 'working calendar',
                'db_table': 'cases_workingday',
                'ordering': ['date'],
            },
        ),
        migrations.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='year')),
                ('source', models.CharField(choices=[('chinese-calendar', 'the chinese-calendar package'), ('notice', 'State Council notice entered by an administrator')], default='chinese-calendar', max_length=100, verbose_name='source')),
                ('entered_at', models.DateTimeField(auto_now_add=True, verbose_name='entered at')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
            ],
            options={
                'verbose_name': 'calendar year',
                'verbose_name_plural': 'calendar years',
                'db_table': 'cases_calendaryear',
                'ordering': ['year'],
            },
        ),
    ])]
