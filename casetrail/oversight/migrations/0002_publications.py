"""公示 of 行政处罚 decisions and the agency's 公示 policy; the policy and the steps are insert-only."""

import django.db.models.deletion
from django.db import migrations, models

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_start_mode_on_the_spot'),
        ('org', '0006_idempotency_keys'),
        ('oversight', '0001_findings'),
        ('records', '0006_each_record_corrected_once'),
    ]

    operations = [
        migrations.CreateModel(
            name='Publication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('doc_no', models.CharField(max_length=100, verbose_name='文号')),
                ('party', models.CharField(max_length=200, verbose_name='当事人（公示名称）')),
                ('text', models.TextField(verbose_name='公示内容')),
                ('decided_on', models.DateField(verbose_name='决定日期')),
                ('state', models.CharField(choices=[('draft', '待审批'), ('published', '已公示'), ('withdrawn', '已撤回')], default='draft', max_length=10, verbose_name='状态')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='公示时间')),
                ('take_down_on', models.DateField(blank=True, null=True, verbose_name='撤下日期')),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='撤回时间')),
                ('changed_at', models.DateTimeField(verbose_name='状态变更时间')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.agency')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='records.record', verbose_name='决定书')),
            ],
            options={
                'verbose_name': '行政处罚决定公示',
                'verbose_name_plural': '行政处罚决定公示',
                'ordering': ['-decided_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PublicationPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_names', models.CharField(choices=[('surname', '仅保留姓氏（如：周某）'), ('full', '公开姓名'), ('none', '不公开（写作“当事人”）')], default='surname', max_length=10, verbose_name='自然人姓名')),
                ('years_person', models.PositiveSmallIntegerField(default=2, verbose_name='自然人公示期限（年）')),
                ('years_organisation', models.PositiveSmallIntegerField(default=5, verbose_name='法人和其他组织公示期限（年）')),
                ('set_at', models.DateTimeField()),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.agency')),
                ('set_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer')),
            ],
            options={
                'verbose_name': '公示规则',
                'verbose_name_plural': '公示规则',
                'ordering': ['set_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PublicationStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('draft', '待审批'), ('published', '已公示'), ('withdrawn', '已撤回')], max_length=10, verbose_name='变更为')),
                ('text', models.TextField(blank=True, verbose_name='说明')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.officer')),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='oversight.publication')),
            ],
            options={
                'verbose_name': '公示处理记录',
                'verbose_name_plural': '公示处理记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.UniqueConstraint(fields=('decision',), name='oversight_publication_once'),
        ),
        InsertOnly("oversight_publicationpolicy"),
        InsertOnly("oversight_publicationstep"),
    ]
