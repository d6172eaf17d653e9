import django.db.models.deletion
from django.db import migrations, models


def create_custody_day(apps, schema_editor):
    """On PostgreSQL the ledger is partitioned by month (RANGE on ``day``); the build creates
    the partitions it needs (``habeas.ledger.partitions``). Elsewhere: a plain table."""
    model = apps.get_model("ledger", "CustodyDay")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(model)
        return
    sql, params = schema_editor.table_sql(model)
    schema_editor.execute(sql + ' PARTITION BY RANGE ("day")', params or None)
    schema_editor.execute(
        'CREATE INDEX "custody_day_person" ON "ledger_custodyday" ("person_id", "day")'
    )


def drop_custody_day(apps, schema_editor):
    cascade = " CASCADE" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute('DROP TABLE IF EXISTS "ledger_custodyday"' + cascade)



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('estate', '0002_space_standards'),
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CustodyDay',
                    fields=[
                        ('pk', models.CompositePrimaryKey('facility_id', 'day', 'person_id', blank=True, editable=False, primary_key=True, serialize=False)),
                        ('day', models.DateField(verbose_name='day')),
                        ('episode_id', models.BigIntegerField(verbose_name='custody episode')),
                        ('cell_kind', models.CharField(blank=True, max_length=8, verbose_name='kind of cell')),
                        ('held_minutes', models.IntegerField(verbose_name='minutes on the roll')),
                        ('whole_day', models.BooleanField(verbose_name='on the roll the whole day')),
                        ('absent_minutes', models.IntegerField(verbose_name='minutes at court or hospital')),
                        ('arrived_at', models.DateTimeField(null=True, verbose_name='arrived (admission or transfer) at')),
                        ('legal_status', models.CharField(max_length=12, verbose_name='custody status')),
                        ('covered', models.BooleanField(verbose_name='lawful authority covered the whole day')),
                        ('sex', models.CharField(max_length=1, verbose_name='sex')),
                        ('minor', models.BooleanField(verbose_name='under 18')),
                        ('occupancy', models.IntegerField(null=True, verbose_name='people in the cell')),
                        ('m2_per_person', models.DecimalField(decimal_places=2, max_digits=8, null=True, verbose_name='m² per person')),
                        ('toilets', models.IntegerField(null=True, verbose_name='working toilets')),
                        ('people_per_toilet', models.DecimalField(decimal_places=2, max_digits=8, null=True, verbose_name='people per working toilet')),
                        ('bunks', models.IntegerField(null=True, verbose_name='bunks')),
                        ('mattresses', models.IntegerField(null=True, verbose_name='mattresses')),
                        ('mixed_sex', models.BooleanField(verbose_name='held with the other sex')),
                        ('mixed_status', models.BooleanField(verbose_name='untried held with convicted')),
                        ('mixed_age', models.BooleanField(verbose_name='child held with adults')),
                        ('out_of_cell_minutes', models.IntegerField(verbose_name='minutes out of the cell')),
                        ('open_air_minutes', models.IntegerField(verbose_name='minutes in the open air')),
                        ('open_air_offered_minutes', models.IntegerField(verbose_name='minutes in the open air offered')),
                        ('visit_minutes', models.IntegerField(verbose_name='minutes of visits')),
                        ('segregated_minutes', models.IntegerField(verbose_name='minutes segregated')),
                        ('solitary', models.BooleanField(verbose_name='22 hours or more without meaningful human contact')),
                        ('solitary_run', models.IntegerField(verbose_name='consecutive days of solitary confinement')),
                        ('lights_off_minutes', models.IntegerField(null=True, verbose_name='minutes with the lights off')),
                        ('max_temperature_c', models.DecimalField(decimal_places=1, max_digits=5, null=True, verbose_name='highest temperature (°C)')),
                        ('minutes_hot', models.IntegerField(null=True, verbose_name='minutes at or above the heat threshold')),
                        ('water_litres_per_person', models.DecimalField(decimal_places=2, max_digits=8, null=True, verbose_name='drinking water per person (L)')),
                        ('family_contact', models.BooleanField(verbose_name='family contact')),
                        ('days_since_family_contact', models.IntegerField(verbose_name='days since family contact')),
                        ('legal_contact', models.BooleanField(verbose_name='legal contact')),
                        ('days_since_legal_contact', models.IntegerField(verbose_name='days since legal contact')),
                        ('restraint_minutes', models.IntegerField(verbose_name='minutes under restraint')),
                        ('prohibited_restraint', models.BooleanField(verbose_name='prohibited restraint')),
                        ('sanctions', models.IntegerField(verbose_name='sanctions in force')),
                        ('cellular_confinement', models.BooleanField(verbose_name='cellular confinement')),
                        ('collective_sanction', models.BooleanField(verbose_name='collective sanction')),
                        ('prohibited_sanction', models.BooleanField(verbose_name='prohibited sanction')),
                        ('minutes_to_examination', models.IntegerField(null=True, verbose_name='minutes from arrival to the medical examination')),
                        ('minutes_to_family_notified', models.IntegerField(null=True, verbose_name='minutes from arrival to the family being told')),
                        ('died', models.BooleanField(verbose_name='died in custody')),
                        ('minutes_to_death_reported', models.IntegerField(null=True, verbose_name='minutes from death to an independent authority being told')),
                        ('minutes_to_family_told_of_death', models.IntegerField(null=True, verbose_name='minutes from death to the family being told')),
                        ('row_hash', models.CharField(max_length=32, verbose_name='hash of the row')),
                        ('cell', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='estate.cell')),
                        ('facility', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='estate.facility')),
                        ('person', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='people.person')),
                        ('unit', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='estate.unit')),
                    ],
                    options={
                        'verbose_name': 'custody day',
                        'verbose_name_plural': 'custody days',
                        'indexes': [models.Index(fields=['person', 'day'], name='custody_day_person')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(create_custody_day, drop_custody_day),
        migrations.CreateModel(
            name='LedgerBuild',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_day', models.DateField(verbose_name='from')),
                ('last_day', models.DateField(verbose_name='until')),
                ('rows', models.PositiveIntegerField(verbose_name='person-days')),
                ('people', models.PositiveIntegerField(verbose_name='people')),
                ('ledger_hash', models.CharField(max_length=64, verbose_name='ledger hash')),
                ('heat_threshold_c', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='heat threshold (°C)')),
                ('built_at', models.DateTimeField(verbose_name='built at')),
                ('seconds', models.FloatField(verbose_name='seconds')),
                ('actor_label', models.CharField(max_length=150, verbose_name='by')),
                ('facility', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='estate.facility')),
            ],
            options={
                'verbose_name': 'ledger build',
                'verbose_name_plural': 'ledger builds',
                'ordering': ['-built_at', '-id'],
                'indexes': [models.Index(fields=['facility', 'built_at'], name='ledger_build_facility')],
            },
        ),
    ]
