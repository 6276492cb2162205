"""评议考核 reports as issued (第三十四条); insert-only."""

import django.db.models.deletion
from django.db import migrations, models

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0006_idempotency_keys'),
        ('oversight', '0003_samples'),
    ]

    operations = [
        migrations.CreateModel(
            name='EvaluationReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.CharField(max_length=10, verbose_name='考核年度')),
                ('numbers', models.JSONField(verbose_name='基础数据')),
                ('indicators', models.JSONField(verbose_name='指标')),
                ('total', models.CharField(max_length=8, verbose_name='综合得分')),
                ('issued_at', models.DateTimeField(verbose_name='出具时间')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.agency')),
                ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='股室')),
            ],
            options={
                'verbose_name': '评议考核报告',
                'verbose_name_plural': '评议考核报告',
                'ordering': ['-issued_at', '-id'],
            },
        ),
        InsertOnly("oversight_evaluationreport"),
    ]
