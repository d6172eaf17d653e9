from django.db import migrations

from habeas.estate.standards import BUILT_IN


def create(apps, schema_editor):
    SpaceStandard = apps.get_model("estate", "SpaceStandard")
    for code, values in BUILT_IN.items():
        SpaceStandard.objects.get_or_create(code=code, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("estate", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
