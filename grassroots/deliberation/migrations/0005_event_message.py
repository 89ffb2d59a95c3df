"""Timeline rows keep what the system said (the rule that closed a step ...) as a message, worded in each
reader's language. Adding the column rebuilds the table on SQLite, which drops its triggers: the trigger that
refuses updates is taken off first and put back after (0002), on every database alike."""

from django.db import migrations, models

from grassroots.appendonly import refuse_updates

TABLE = "deliberation_topicevent"


def drop_trigger(apps, schema_editor):
    on = f" ON {TABLE}" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update{on}")


_REFUSE = refuse_updates(TABLE, function="deliberation_refuse_update")


class Migration(migrations.Migration):

    dependencies = [
        ('deliberation', '0004_labels'),
    ]

    operations = [
        migrations.RunPython(drop_trigger, _REFUSE.code),
        migrations.AddField(
            model_name='topicevent',
            name='message_data',
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(_REFUSE.code, drop_trigger),
    ]
