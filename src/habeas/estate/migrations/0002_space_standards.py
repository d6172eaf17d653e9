from decimal import Decimal

from django.db import migrations

STANDARDS = [
    ("icrc", "ICRC (2012): 3.4 m² per person in a shared cell, 5.4 m² in a single cell",
     Decimal("3.40"), Decimal("5.40"),
     "ICRC, Water, sanitation, hygiene and habitat in prisons: supplementary guidance (2012)."),
    ("cpt", "CPT (2015): 4 m² per person in a shared cell, 6 m² in a single cell",
     Decimal("4.00"), Decimal("6.00"), "CPT/Inf (2015) 44, Living space per prisoner."),
]


def create(apps, schema_editor):
    SpaceStandard = apps.get_model("estate", "SpaceStandard")
    for code, name, shared, single, source in STANDARDS:
        SpaceStandard.objects.get_or_create(code=code, defaults={
            "name": name, "shared_m2_per_person": shared, "single_m2": single, "source": source,
        })


class Migration(migrations.Migration):
    dependencies = [("estate", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
