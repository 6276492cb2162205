"""Fill the stored deadlines of the cases that exist (issue 18): from now on every action keeps
them, this computes them once for what was recorded before.

It runs the deadline registry as the code has it (the rules read the current models, which is why
it waits for every app's migrations up to now). Should a later schema make that impossible on an
old database, it says so and leaves the rows to `casetrail refresh-deadlines` after migrating."""

from django.db import DatabaseError, migrations, transaction


def fill(apps, schema_editor):
    if not apps.get_model("cases", "Case").objects.exists():
        return  # a new database: nothing to compute
    from casetrail.compliance.stored import refresh_all

    try:
        with transaction.atomic():
            cases, added, _ = refresh_all()
    except DatabaseError as exc:  # pragma: no cover - only a much later schema gets here
        print(f"\n  期限未能计算（{exc}）：迁移完成后请运行 casetrail refresh-deadlines")
        return
    print(f"\n  已计算 {cases} 个案件的期限（{added} 项）")


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0006_chain_kinds_registered_by_their_apps"),
        ("cases", "0003_start_mode_on_the_spot"),
        ("compliance", "0005_case_deadlines_stored"),
        ("documents", "0002_insert_only_triggers"),
        ("evidence", "0003_item_clock_time_corrections_and_reasons"),
        ("ledger", "0004_pinned_keys_and_cosignatures"),
        ("org", "0008_hash_existing_api_tokens"),
        ("oversight", "0004_evaluation_reports"),
        ("records", "0006_each_record_corrected_once"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
