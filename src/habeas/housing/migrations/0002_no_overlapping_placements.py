"""On PostgreSQL, forbid two placements of one person whose periods overlap (an exclusion
constraint over tstzrange). SQLite relies on the partial unique index of open placements and on
the service's serialised writes."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE housing_placement ADD CONSTRAINT placement_no_overlap
  EXCLUDE USING gist (person_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&);
"""
BACKWARD = "ALTER TABLE housing_placement DROP CONSTRAINT IF EXISTS placement_no_overlap;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("housing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
