"""抽查: draws of closed cases with their seed, and the reviews of the drawn cases; both insert-only."""

import django.db.models.deletion
from django.db import migrations, models

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_start_mode_on_the_spot'),
        ('org', '0006_idempotency_keys'),
        ('oversight', '0002_publications'),
    ]

    operations = [
        migrations.CreateModel(
            name='Sample',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.CharField(help_text='2026, 2026-Q3 or 2026-07', max_length=10, verbose_name='抽查期间')),
                ('seed', models.CharField(max_length=64, verbose_name='随机种子')),
                ('size', models.PositiveIntegerField(verbose_name='抽取数量')),
                ('population', models.JSONField(verbose_name='总体（期间内结案案件）')),
                ('drawn', models.JSONField(verbose_name='抽中案件')),
                ('drawn_at', models.DateTimeField(verbose_name='抽取时间')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.agency')),
                ('drawn_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer')),
            ],
            options={
                'verbose_name': '案卷抽查',
                'verbose_name_plural': '案卷抽查',
                'ordering': ['-drawn_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SampleReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('results', models.JSONField(verbose_name='评查结果')),
                ('conclusion', models.TextField(verbose_name='评查结论')),
                ('at', models.DateTimeField(verbose_name='评查时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer')),
                ('sample', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='oversight.sample')),
            ],
            options={
                'verbose_name': '抽查评查',
                'verbose_name_plural': '抽查评查',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='sample',
            constraint=models.UniqueConstraint(fields=('agency', 'period'), name='oversight_sample_once'),
        ),
        InsertOnly("oversight_sample"),
        InsertOnly("oversight_samplereview"),
    ]
