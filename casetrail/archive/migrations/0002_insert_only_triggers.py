from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_case_files_checks_packages")]

    # 第三十五条: the file's items, its reports, packages, transfers and the settings are never
    # changed or removed (CaseFile.status and PieceCounter.last are projections, ledgered).
    operations = [
        InsertOnly("archive_fileitem"),
        InsertOnly("archive_checkreport"),
        InsertOnly("archive_checkresult"),
        InsertOnly("archive_package"),
        InsertOnly("archive_transfer"),
        InsertOnly("archive_archivesettings"),
    ]
