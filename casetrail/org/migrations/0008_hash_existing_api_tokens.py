"""Issue 15: the API tokens DRF kept in clear text (authtoken_token) become hashed ApiTokens.

Each keeps working with the same key — only its SHA-256 is stored now — under the name
“迁移的令牌”, valid for CASETRAIL_TOKEN_DAYS from the migration; the clear-text rows are deleted.
Not reversible: the keys are gone (a reverse migration would have to invent new ones)."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def hash_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    Officer = apps.get_model("org", "Officer")
    ApiToken = apps.get_model("org", "ApiToken")
    now = timezone.now()
    expires = now + dt.timedelta(days=settings.CASETRAIL_TOKEN_DAYS)
    officers = dict(Officer.objects.values_list("user_id", "pk"))
    for token in Token.objects.all():
        officer_id = officers.get(token.user_id)
        if officer_id is not None:
            ApiToken.objects.create(
                officer_id=officer_id,
                name="迁移的令牌",
                key_hash=hashlib.sha256(token.key.encode("utf-8")).hexdigest(),
                prefix=token.key[:8],
                created_at=token.created or now,
                expires_at=expires,
            )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0007_hashed_api_tokens_and_login_state"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
