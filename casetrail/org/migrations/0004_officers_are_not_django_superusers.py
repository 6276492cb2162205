from django.db import migrations


def revoke(apps, schema_editor):
    """Officers made before this migration with the admin role were Django superusers; an agency's
    administrator works through the officer actions instead, confined to the agency."""
    Officer = apps.get_model("org", "Officer")
    User = apps.get_model("auth", "User")
    User.objects.filter(pk__in=Officer.objects.values("user_id")).update(
        is_staff=False, is_superuser=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_officer_deactivation_and_role_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(revoke, migrations.RunPython.noop)]
