"""The import runs move to grassroots.imports (its 0001 takes the model into its state); the table stays, so
nothing happens in the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0003_import_run_open_kinds'),
        ('imports', '0001_initial'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.DeleteModel(
            name='ImportRun',
        ),
    ])]
