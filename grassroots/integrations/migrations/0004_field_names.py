from django.db import migrations


class Migration(migrations.Migration):
    """Field names that say what they hold, apart from the free-text fields of the same names elsewhere."""

    dependencies = [("integrations", "0003_webhooks")]

    operations = [
        migrations.RenameField("open311submission", "token", "reply_token"),
        migrations.RenameField("webhookattempt", "error", "failure"),
    ]
