
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('estate', '0002_space_standards'),
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Profile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
            ],
            options={
                'verbose_name': 'standards profile',
                'verbose_name_plural': 'standards profiles',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='Rule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, unique=True, verbose_name='rule')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('source', models.CharField(max_length=8, verbose_name='source')),
                ('source_text', models.TextField(verbose_name='source (full)')),
                ('citation', models.CharField(max_length=300, verbose_name='citation')),
                ('tag', models.CharField(max_length=1, verbose_name='certainty')),
                ('requirement', models.TextField(verbose_name='requirement')),
                ('method', models.TextField(verbose_name='method')),
                ('definition', models.JSONField(verbose_name='definition (SQL over the ledger)')),
                ('position', models.PositiveIntegerField(verbose_name='order')),
                ('current', models.BooleanField(default=True, verbose_name='in the current catalogue')),
            ],
            options={
                'verbose_name': 'rule',
                'verbose_name_plural': 'rules',
                'ordering': ['position'],
            },
        ),
        migrations.CreateModel(
            name='EvaluationRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_day', models.DateField(verbose_name='from')),
                ('last_day', models.DateField(verbose_name='until')),
                ('rules_digest', models.CharField(max_length=64, verbose_name='rules digest')),
                ('ledger_hash', models.CharField(max_length=64, verbose_name='ledger hash')),
                ('ledger_rows', models.PositiveIntegerField(verbose_name='person-days judged')),
                ('people', models.PositiveIntegerField(verbose_name='people')),
                ('findings_hash', models.CharField(max_length=64, verbose_name='findings hash')),
                ('rules_breached', models.PositiveIntegerField(verbose_name='rules breached')),
                ('ran_at', models.DateTimeField(verbose_name='run at')),
                ('seconds', models.FloatField(verbose_name='seconds')),
                ('actor_label', models.CharField(max_length=150, verbose_name='by')),
                ('facility', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='estate.facility')),
            ],
            options={
                'verbose_name': 'evaluation run',
                'verbose_name_plural': 'evaluation runs',
                'ordering': ['-ran_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Finding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('breached', 'Breached'), ('compliant', 'Compliant'), ('not_judged', 'Nothing to judge')], max_length=12, verbose_name='status')),
                ('thresholds', models.JSONField(verbose_name='thresholds')),
                ('judged', models.PositiveIntegerField(verbose_name='person-days judged')),
                ('unknown', models.PositiveIntegerField(verbose_name='person-days without data')),
                ('person_days', models.PositiveIntegerField(verbose_name='person-days in breach')),
                ('people', models.PositiveIntegerField(verbose_name='people affected')),
                ('cells', models.PositiveIntegerField(verbose_name='cells')),
                ('first_day', models.DateField(null=True, verbose_name='first breach')),
                ('last_day', models.DateField(null=True, verbose_name='last breach')),
                ('worst_value', models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='worst value')),
                ('longest_run', models.PositiveIntegerField(null=True, verbose_name='longest run of days')),
                ('severe_people', models.PositiveIntegerField(null=True, verbose_name='people with a severe run')),
                ('trend', models.JSONField(verbose_name='trend')),
                ('worst', models.JSONField(verbose_name='worst cases')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='standards.evaluationrun')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='standards.rule')),
            ],
            options={
                'verbose_name': 'finding',
                'verbose_name_plural': 'findings',
                'ordering': ['run', 'rule__position'],
            },
        ),
        migrations.CreateModel(
            name='ProfileVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('thresholds', models.JSONField(verbose_name='thresholds')),
                ('digest', models.CharField(max_length=64, verbose_name='digest')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('origin', models.CharField(max_length=200, verbose_name='origin')),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='standards.profile')),
            ],
            options={
                'verbose_name': 'profile version',
                'verbose_name_plural': 'profile versions',
                'ordering': ['profile', '-number'],
            },
        ),
        migrations.AddField(
            model_name='evaluationrun',
            name='profile_version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='runs', to='standards.profileversion'),
        ),
        migrations.CreateModel(
            name='FindingCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_days', models.PositiveIntegerField(verbose_name='person-days in breach')),
                ('judged', models.PositiveIntegerField(verbose_name='person-days judged')),
                ('cell', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='estate.cell')),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cells_in_breach', to='standards.finding')),
            ],
            options={
                'verbose_name': 'cell in breach',
                'verbose_name_plural': 'cells in breach',
                'indexes': [models.Index(fields=['finding', 'person_days'], name='finding_cell_days')],
            },
        ),
        migrations.CreateModel(
            name='FindingPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('days', models.PositiveIntegerField(verbose_name='days in breach')),
                ('first_day', models.DateField(verbose_name='first')),
                ('last_day', models.DateField(verbose_name='last')),
                ('worst_value', models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='worst value')),
                ('longest_run', models.PositiveIntegerField(null=True, verbose_name='longest run of days')),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='people_in_breach', to='standards.finding')),
                ('person', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='people.person')),
            ],
            options={
                'verbose_name': 'person in breach',
                'verbose_name_plural': 'people in breach',
                'indexes': [models.Index(fields=['finding', 'days'], name='finding_person_days'), models.Index(fields=['person', 'finding'], name='finding_person_person')],
            },
        ),
        migrations.AddConstraint(
            model_name='profileversion',
            constraint=models.UniqueConstraint(fields=('profile', 'number'), name='profile_version_once'),
        ),
        migrations.AddIndex(
            model_name='evaluationrun',
            index=models.Index(fields=['facility', 'ran_at'], name='run_facility'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.UniqueConstraint(fields=('run', 'rule'), name='finding_once'),
        ),
    ]
