"""档号 (DA/T 22) and 保管期限 as the agency's data: zero-configuration defaults, settings changed
through a ledgered action, the 件号 gapless per 全宗/门类/年度/期限/机构."""

from __future__ import annotations

import dataclasses

import pytest

from casetrail.archive import actions
from casetrail.archive.policy import archive_code, defaults, policy_of, retention_for
from casetrail.archive.tests.builders import closed_case
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.django_db


def test_it_writes_the_archival_code_as_da_t_22_says():
    code = archive_code(fonds="J012", category="ZF", year=2026, retention="D30", org="FZ", piece=7)
    assert code == "J012-ZF·2026-D30-FZ-0007"


def test_it_takes_the_retention_period_from_rules_the_agency_can_change(personas, open_case):
    policy = defaults(open_case.agency)
    assert retention_for(policy, open_case, "performed")[0] == "D30"
    assert retention_for(policy, open_case, "no_penalty")[0] == "D10"
    open_case.is_major = True
    assert retention_for(policy, open_case, "performed")[0] == "Y"
    stricter = dataclasses.replace(
        policy,
        retention_rules=[{"when": {}, "period": "Y", "basis": "本机关行政执法案卷一律永久保存"}],
    )
    open_case.is_major = False
    assert retention_for(stricter, open_case, "no_penalty") == (
        "Y",
        "本机关行政执法案卷一律永久保存",
    )


def test_it_applies_the_agencys_settings_to_the_next_file(personas, evidence_store):
    admin = personas["admin"]
    policy = dataclasses.replace(
        defaults(admin.agency), fonds_code="J012", org_code="FZK", fonds_name="陵川县民政局"
    )
    with pytest.raises(ActionError) as err:
        actions.archive_settings_set(officer=personas["zhang"], policy=policy)
    assert err.value.status == 403
    with pytest.raises(ActionError) as err:
        actions.archive_settings_set(
            officer=admin, policy=dataclasses.replace(policy, fonds_code="全宗 1")
        )
    assert err.value.code == "invalid_code"
    with pytest.raises(ActionError) as err:
        actions.archive_settings_set(
            officer=admin, policy=dataclasses.replace(policy, order=["decision", "nonsense"])
        )
    assert err.value.code == "invalid_order"
    actions.archive_settings_set(officer=admin, policy=policy)
    assert LedgerEntry.objects.filter(action="archive.settings").count() == 1
    assert policy_of(admin.agency).fonds_code == "J012"

    case = closed_case(personas)
    f = actions.archive_assemble(case=case, officer=personas["liu"])
    assert f.archive_code.startswith("J012-ZF·") and f.archive_code.endswith("-FZK-0001")
    again = actions.archive_assemble(case=case, officer=personas["liu"], reason="重新立卷")
    assert again.archive_code == f.archive_code  # the 件号 is kept by a new version


SETTINGS_MATRIX = {"admin": 200, "liu": 200, "zhang": 403, "wang": 403, "sun": 403}


@pytest.mark.parametrize("who", sorted(SETTINGS_MATRIX))
def test_it_lets_the_administrator_and_the_custodian_change_the_settings(who, personas):
    from casetrail.conftest import client_for

    client = client_for(who)
    current = client.get("/api/archive/settings/")
    assert current.status_code == 200 and current.json()["category_code"] == "ZF"
    body = {**current.json(), "fonds_code": "J012"}
    r = client.put("/api/archive/settings/", body, content_type="application/json")
    assert r.status_code == SETTINGS_MATRIX[who], r.content
    if r.status_code == 200:
        assert r.json()["fonds_code"] == "J012"
    else:
        assert r.json()["code"] == "not_allowed"
    bad = client.put(
        "/api/archive/settings/",
        {**body, "retention_rules": [{"period": "forever"}]},
        content_type="application/json",
    )
    assert bad.status_code in (400, 403) and bad.json()["code"]
    assert client_for(None).get("/api/archive/settings/").status_code in (401, 403)


@pytest.mark.parametrize("who", sorted(SETTINGS_MATRIX))
def test_it_shows_the_settings_page_and_changes_them_through_it(who, personas):
    """档案设置 (/archive/settings/): every officer reads; the administrator and the custodian
    change them on the page, a bad rule list refused beside its field with nothing written."""
    import json

    from casetrail.conftest import client_for
    from casetrail.ledger.models import LedgerEntry

    client = client_for(who)
    page = client.get("/archive/settings/")
    assert page.status_code == 200 and "保管期限规则" in page.content.decode()
    assert ('name="fonds_code"' in page.content.decode()) == (SETTINGS_MATRIX[who] == 200)
    current = client.get("/api/archive/settings/").json()
    form = {
        **{k: current[k] for k in ("fonds_code", "fonds_name", "category_code", "category_name")},
        "org_code": current["org_code"],
        "formats": "\n".join(current["formats"]),
        "order": "\n".join(current["order"]),
        "retention_rules": json.dumps(current["retention_rules"], ensure_ascii=False),
    }
    before = LedgerEntry.objects.count()
    bad = client.post("/archive/settings/", {**form, "retention_rules": "[不是 JSON"})
    assert bad.status_code == (400 if SETTINGS_MATRIX[who] == 200 else 403)
    assert LedgerEntry.objects.count() == before
    r = client.post("/archive/settings/", {**form, "fonds_code": "J013"})
    if SETTINGS_MATRIX[who] == 200:
        assert r.status_code == 302
        assert client.get("/api/archive/settings/").json()["fonds_code"] == "J013"
        assert LedgerEntry.objects.filter(action="archive.settings").count() == 1
    else:
        assert r.status_code == 403 and LedgerEntry.objects.count() == before
