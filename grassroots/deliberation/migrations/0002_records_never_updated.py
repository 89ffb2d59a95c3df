"""Opinions, ballots, signatures, meeting counts, progress entries and timeline events are never edited in
place: the database itself refuses an UPDATE of them (a correction is a new row). Deleting is refused by the
ORM (``models.AppendOnly``) except for synthetic demo topics, so the demo can be removed. The triggers are
``grassroots.appendonly.refuse_updates``'s, as on every append-only table."""

from django.db import migrations

from grassroots.appendonly import refuse_updates

TABLES = [
    "deliberation_opinion",
    "deliberation_ballot",
    "deliberation_signature",
    "deliberation_tally",
    "deliberation_progressentry",
    "deliberation_topicevent",
]


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]

    operations = [refuse_updates(*TABLES, function="deliberation_refuse_update")]
