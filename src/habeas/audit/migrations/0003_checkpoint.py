from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_head")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(verbose_name="events")),
                ("hash", models.CharField(max_length=64, verbose_name="head hash")),
                ("at", models.CharField(max_length=32, verbose_name="at")),
                ("key_id", models.CharField(max_length=16, verbose_name="key")),
                ("signature", models.CharField(max_length=128, verbose_name="signature")),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["seq", "id"],
            },
        ),
    ]
