"""Findings and the supervisor's steps on them (第三十五条); the steps are insert-only."""

import django.db.models.deletion
from django.db import migrations, models

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0003_start_mode_on_the_spot'),
        ('org', '0006_idempotency_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='Finding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40, verbose_name='类别')),
                ('subject', models.CharField(help_text='e.g. item:12, case:3:R27:2026-11-02', max_length=120, verbose_name='对象')),
                ('title', models.CharField(max_length=200, verbose_name='问题')),
                ('article', models.CharField(max_length=60, verbose_name='依据')),
                ('item', models.CharField(max_length=4, verbose_name='第三十五条情形')),
                ('details', models.TextField(verbose_name='具体情况')),
                ('facts', models.JSONField(default=dict, verbose_name='来源')),
                ('raised_at', models.DateTimeField(verbose_name='发现时间')),
                ('state', models.CharField(choices=[('open', '待处理'), ('ordered', '已责令改正'), ('corrected', '已改正'), ('closed', '已办结'), ('criticised', '已通报批评')], default='open', max_length=12, verbose_name='状态')),
                ('changed_at', models.DateTimeField(verbose_name='状态变更时间')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.agency')),
                ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case', verbose_name='案件')),
                ('officer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer', verbose_name='责任人员')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='股室')),
            ],
            options={
                'verbose_name': '监督发现',
                'verbose_name_plural': '监督发现',
                'ordering': ['-raised_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='FindingStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('open', '待处理'), ('ordered', '已责令改正'), ('corrected', '已改正'), ('closed', '已办结'), ('criticised', '已通报批评')], max_length=12, verbose_name='变更为')),
                ('text', models.TextField(verbose_name='内容')),
                ('deadline', models.DateField(blank=True, null=True, verbose_name='改正期限')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='oversight.finding')),
                ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer')),
            ],
            options={
                'verbose_name': '监督处理记录',
                'verbose_name_plural': '监督处理记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(fields=['agency', 'state'], name='oversight_f_agency__eaff0f_idx'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.UniqueConstraint(fields=('agency', 'kind', 'subject'), name='oversight_finding_once'),
        ),
        InsertOnly("oversight_findingstep"),
    ]
