# Service types get an English name, shown when the reader's language is English; the seeded ones are filled.

from django.db import migrations, models


def fill(apps, schema_editor):
    from grassroots.cases.seed import fill_other_names

    fill_other_names(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_routing_explanation_message'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='name_en',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='name in English'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
