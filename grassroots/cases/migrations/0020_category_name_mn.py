# Service types get a Mongolian (traditional script) name beside the English one; the seeded ones are filled.
# Also joins the branches of the migrations that went their own ways after 0016.

from django.db import migrations, models


def fill(apps, schema_editor):
    from grassroots.cases.seed import fill_other_names

    fill_other_names(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0017_hotline_exchange"),
        ("cases", "0017_proactive_channel"),
        ("cases", "0019_calendar_moves_to_worktime"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_mn",
            field=models.CharField(
                blank=True, default="", max_length=100, verbose_name="name in Mongolian (traditional script)"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
