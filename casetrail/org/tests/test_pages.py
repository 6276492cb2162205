"""The administrator's officer pages and every officer's token page: each form calls one action and
shows its refusal beside the field it names."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.org.models import Officer, OfficerRole, Role
from casetrail.org.tests.conftest import last_entry, new_officer, org_state


def test_it_lists_the_agencys_officers_for_its_administrator(personas):
    page = client_for("admin").get("/org/officers/").content.decode()
    for text in ["张承办", "社会事务股", "承办人", "14052400123", "有效", "在用", "新建人员"]:
        assert text in page, text
    assert 'href="/org/officers/"' in page  # the menu offers it to administrators
    assert 'href="/org/officers/"' not in client_for("zhang").get("/").content.decode()


def test_it_creates_an_officer_from_the_page(personas):
    admin = client_for("admin")
    form = new_officer(personas)
    before = org_state()
    r = admin.post("/org/officers/", {**form, "password": "123"})
    assert r.status_code == 400 and "password" in r.context["form"].errors
    assert org_state() == before
    r = admin.post("/org/officers/", form)
    feng = Officer.objects.get(name="冯承办")
    assert r.status_code == 302 and r["Location"] == f"/org/officers/{feng.pk}/"
    assert feng.role_set == {Role.HANDLER} and feng.certificate_valid_today


def _form(response, key):
    return dict((k, f) for k, _, f in response.context["forms"])[key]


def test_it_shows_a_refused_certificate_beside_its_field(personas):
    li = personas["li"]
    today = timezone.localdate()
    before = org_state()
    r = client_for("admin").post(
        f"/org/officers/{li.pk}/certificate/",
        {
            "certificate_no": "X1",
            "valid_from": today.isoformat(),
            "valid_to": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 400
    assert _form(r, "certificate").errors["valid_to"] == ["证件有效期的起始日期不能晚于截止日期"]
    assert "证件有效期的起始日期不能晚于截止日期" in r.content.decode()
    assert org_state() == before


def test_it_changes_roles_unit_and_status_from_the_officer_page(personas):
    li = personas["li"]
    admin = client_for("admin")
    page = f"/org/officers/{li.pk}/"
    assert admin.get(page).status_code == 200
    r = admin.post(page + "roles/", {"roles": ["reviewer"], "reason": "任命"})
    assert r.status_code == 302
    assert Officer.objects.get(pk=li.pk).role_set == {Role.REVIEWER}
    assert OfficerRole.objects.filter(officer=li).count() == 2  # the revoked grant stays
    unit = li.agency.units.get(name="社会组织管理股")
    assert admin.post(page + "unit/", {"unit": unit.pk}).status_code == 302
    assert Officer.objects.get(pk=li.pk).unit_id == unit.pk
    assert admin.post(page + "deactivate/", {"reason": "调离"}).status_code == 302
    assert not Officer.objects.get(pk=li.pk).is_active
    assert "已停用" in admin.get(page).content.decode()
    assert admin.post(page + "reactivate/", {"reason": "回任"}).status_code == 302
    assert Officer.objects.get(pk=li.pk).is_active
    assert last_entry(li)["action"] == "org.officer_reactivate"
    assert admin.post(page + "nonsense/", {}).status_code == 404


def test_it_refuses_an_administrator_their_own_roles_on_the_page(personas):
    me = personas["admin"]
    before = org_state()
    r = client_for("admin").post(f"/org/officers/{me.pk}/roles/", {"roles": ["admin", "approver"]})
    assert r.status_code == 403 and "第六条" in r.content.decode()
    assert org_state() == before
