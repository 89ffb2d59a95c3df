"""The working calendar's models move to grassroots.worktime (its 0001 takes them into its state); their
tables stay, so nothing happens in the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_category_name_en'),
        ('worktime', '0001_initial'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.RemoveField(
            model_name='calendaryear',
            name='entered_by',
        ),
        migrations.DeleteModel(
            name='ReferenceVersion',
        ),
        migrations.DeleteModel(
            name='WorkingDay',
        ),
        migrations.DeleteModel(
            name='CalendarYear',
        ),
    ])]
