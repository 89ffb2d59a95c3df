"""The import runs move here from the areas app (workforce, cases and areas all import through them). The
table stays as it is (``db_table`` keeps its name ``areas_importrun``): this migration only tells Django's model
state that it is this app's now, and renames the model's content type so that nothing pointing at it is left
behind; areas 0004 takes it out of the areas app's state."""

import django.db.models.deletion
import grassroots.imports.kinds
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=target, model="importrun").exists():
        ContentType.objects.using(db).filter(app_label=source, model="importrun").update(app_label=target)


def forwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, source="areas", target="imports")


def backwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, source="imports", target="areas")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('areas', '0003_import_run_open_kinds'),  # the table exists (areas 0002)
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=grassroots.imports.kinds.choices, max_length=16, verbose_name='kind')),
                        ('status', models.CharField(choices=[('previewed', 'previewed, waiting for confirmation'), ('refused', 'refused: the file has errors'), ('imported', 'imported'), ('expired', 'expired without confirmation')], max_length=16, verbose_name='status')),
                        ('area_code', models.CharField(db_index=True, max_length=15, verbose_name='area code')),
                        ('file_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                        ('file_sha256', models.CharField(max_length=64)),
                        ('file_size', models.PositiveIntegerField(verbose_name='file size')),
                        ('content', models.BinaryField(default=b'')),
                        ('report', models.JSONField(default=dict, verbose_name='report')),
                        ('created_at', models.DateTimeField(verbose_name='uploaded at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                    ],
                    options={
                        'verbose_name': 'import',
                        'verbose_name_plural': 'imports',
                        'db_table': 'areas_importrun',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=True)],
        ),
    ]
