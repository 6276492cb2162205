"""Marks and the read log (issue 13, 第三十三条): 国家秘密 never uploaded (only where the paper is
kept and who keeps it), 商业秘密 / 个人隐私 on records and media items; marked material shown only
to those the access function allows, after they chose a reason (once per case per session), each
read a MarkedRead row and a ledger entry; everyone else sees that it exists and is withheld."""

from __future__ import annotations

import json
from typing import Any

import pytest

from casetrail.cases.models import Case, Mark, MarkedRead
from casetrail.conftest import client_for, film
from casetrail.evidence.models import Upload
from casetrail.evidence.tests.helpers import create
from casetrail.ledger.models import LedgerEntry
from casetrail.records.actions import material_mark
from casetrail.records.models import Record
from casetrail.records.tests.conftest import ANSWERS

SECRET_PLACE = "陵川县民政局机要室3号保密柜"


def entries() -> int:
    return LedgerEntry.objects.count()


def marked(record: Record, personas: dict[str, Any]) -> Mark:
    return material_mark(
        target=f"record:{record.pk}",
        officer=personas["zhang"],
        kind="commercial_secret",
        reason="含当事人经营数据",
    )


# --- 国家秘密 ---------------------------------------------------------------------------------


def test_it_refuses_a_state_secret_upload_before_its_first_byte(
    open_case: Case, evidence_store: Any
) -> None:
    before = entries()
    for mark in ("state_secret", "国家秘密"):
        r = create(
            client_for("zhang"), 10, {"filename": "a.mp4", "case": str(open_case.pk), "mark": mark}
        )
        assert r.status_code == 400
        assert r.json()["code"] == "state_secret_not_uploaded"
    assert not Upload.objects.exists() and entries() == before


def test_it_refuses_to_mark_recorded_material_a_state_secret(
    interviewed: Record, personas: dict[str, Any]
) -> None:
    before = entries()
    r = client_for("zhang").post(
        f"/api/cases/{interviewed.case_id}/mark/",
        {"fields": {"target": f"record:{interviewed.pk}", "kind": "state_secret", "reason": "x"}},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "state_secret_not_uploaded"
    assert not Mark.objects.exists() and entries() == before


def test_it_registers_where_a_state_secret_paper_is_kept(
    open_case: Case, personas: dict[str, Any]
) -> None:
    before = entries()
    fields = {
        "title": "上级机关来文（绝密）",
        "kept_at": SECRET_PLACE,
        "keeper": "刘档案",
        "reason": "上级定密",
    }
    r = client_for("zhang").post(
        f"/api/cases/{open_case.pk}/secret-paper/",
        {"fields": {**fields, "kept_at": ""}},
        content_type="application/json",
    )
    assert r.status_code == 400 and entries() == before  # where it is kept is required
    r = client_for("zhang").post(
        f"/api/cases/{open_case.pk}/secret-paper/",
        {"fields": fields},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    (mark,) = Mark.objects.all()
    assert (mark.kind, mark.target, mark.kept_at, mark.keeper) == (
        "state_secret",
        "",
        SECRET_PLACE,
        "刘档案",
    )
    entry = LedgerEntry.objects.get(seq=entries() - 1)
    assert entry.action == "case.state_secret_register" and SECRET_PLACE in entry.canonical
    # Its officers and the supervisor see where it is; the reviewer only that it exists.
    for who, sees in (("zhang", True), ("sun", True), ("wang", False)):
        page = client_for(who).get(f"/cases/{open_case.pk}/").content.decode()
        assert "国家秘密纸质材料" in page
        assert (SECRET_PLACE in page) is sees, who


# --- a marked record --------------------------------------------------------------------------


def test_it_withholds_a_marked_record_from_those_who_may_not_read_it(
    interviewed: Record, personas: dict[str, Any]
) -> None:
    marked(interviewed, personas)
    code = interviewed.case.agency.credit_code
    seq = LedgerEntry.objects.get(subject=f"record:{interviewed.pk}", action="record.create").seq
    wang = client_for("wang")  # reads the case (he reviewed its start), not its marked material
    record = wang.get(f"/api/records/{interviewed.pk}/", headers={"X-Read-Reason": "审核"})
    assert record.status_code == 200
    assert record.json()["withheld"] == "〔商业秘密，已隐去〕" and record.json()["fields"] == {}
    records = wang.get(f"/api/cases/{interviewed.case_id}/").json()["records"]
    (listed,) = [r for r in records if r["id"] == interviewed.pk]
    assert listed["withheld"] and listed["fields"] == {}
    page = wang.get(f"/cases/{interviewed.case_id}/section/timeline/").content.decode()
    ledger = wang.get(f"/ledger/{code}/entries/{seq}/").content.decode()
    for text in (page, ledger, record.content.decode()):
        assert "〔商业秘密，已隐去〕" in text  # it exists, and is withheld
        assert "你的住址" not in text and "询问室" not in text
    assert wang.get(f"/api/ledgers/{code}/entries/{seq}").status_code == 404
    assert not MarkedRead.objects.exists()


def test_it_shows_a_marked_record_to_its_handler_once_he_gives_a_reason(
    interviewed: Record, personas: dict[str, Any]
) -> None:
    marked(interviewed, personas)
    zhang = client_for("zhang")
    url = f"/api/records/{interviewed.pk}/"
    before = entries()
    r = zhang.get(url)
    assert r.status_code == 400 and r.json()["code"] == "read_reason_required"
    assert zhang.get(url, {"reason": "吃饭"}).json()["code"] == "invalid_read_reason"
    assert entries() == before and not MarkedRead.objects.exists()
    r = zhang.get(url, headers={"X-Read-Reason": "办案"})
    assert r.status_code == 200 and r.json()["fields"]["content"] == ANSWERS
    (read,) = MarkedRead.objects.all()
    assert (read.officer, read.reason, read.via, read.target) == (
        personas["zhang"],
        "handling",
        "api",
        f"record:{interviewed.pk}",
    )
    entry = LedgerEntry.objects.get(seq=entries() - 1)
    assert entry.action == "case.marked_read" and entry.case_ref == interviewed.case_id
    assert json.loads(entry.canonical)["actor"]["id"] == personas["zhang"].pk
    # Once per reader, case, session and reason: reading again adds nothing; another reason does.
    zhang.get(url, {"reason": "handling"})
    assert MarkedRead.objects.count() == 1
    zhang.get(url, {"reason": "调用"})
    assert MarkedRead.objects.count() == 2


def test_it_asks_for_the_reason_once_per_case_per_session_on_the_web(
    interviewed: Record, personas: dict[str, Any]
) -> None:
    marked(interviewed, personas)
    zhang = client_for("zhang")
    timeline = f"/cases/{interviewed.case_id}/section/timeline/"
    page = zhang.get(timeline).content.decode()
    assert "请选择查阅事由" in page and "你的住址" not in page
    assert not MarkedRead.objects.exists()
    r = zhang.post(
        f"/cases/{interviewed.case_id}/reason/", {"reason": "handling", "next": timeline}
    )
    assert r.status_code == 302 and r["Location"] == timeline
    for _ in range(3):
        page = zhang.get(timeline).content.decode()
        assert "请选择查阅事由" not in page and "你的住址" in page
    (read,) = MarkedRead.objects.all()
    assert read.via == "page" and read.reason == "handling"
    # The case page shows who read the marked material, and why.
    overview = client_for("sun").get(f"/cases/{interviewed.case_id}/").content.decode()
    assert "查阅记录" in overview and "张承办" in overview and "办案" in overview
    # A new login is a new session: the prompt again.
    assert "请选择查阅事由" in client_for("zhang").get(timeline).content.decode()


def test_it_refuses_a_bad_reason_and_a_reader_who_may_not(
    interviewed: Record, personas: dict[str, Any]
) -> None:
    marked(interviewed, personas)
    url = f"/cases/{interviewed.case_id}/reason/"
    assert client_for("zhang").post(url, {"reason": "好奇"}).status_code == 400
    assert client_for("wang").post(url, {"reason": "review"}).status_code == 403
    assert client_for("liu").post(url, {"reason": "review"}).status_code == 404  # not his case
    assert client_for("zhang").get(url).status_code == 405
    assert not MarkedRead.objects.exists()


# --- a marked media item ----------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("zhang", 200), ("li", 200), ("wang", 403), ("liu", 404)])
def test_it_plays_a_marked_recording_only_with_a_reason(
    open_case: Case, personas: dict[str, Any], evidence_store: Any, who: str, status: int
) -> None:
    item = film(open_case, personas["zhang"], description="拍摄当事人财务账册")
    material_mark(
        target=f"evidence:{item.pk}",
        officer=personas["zhang"],
        kind="commercial_secret",
        reason="账册",
    )
    client = client_for(who)
    media = f"/api/evidence/{item.pk}/media"
    plain = client.get(media)
    assert plain.status_code == {200: 400, 403: 403, 404: 404}[status]
    given = client.get(media, headers={"X-Read-Reason": "办案"})
    assert given.status_code == status
    detail = client.get(f"/api/evidence/{item.pk}/", headers={"X-Read-Reason": "办案"})
    if status == 200:
        assert detail.json()["description"] == "拍摄当事人财务账册"
        assert MarkedRead.objects.filter(officer=personas[who]).exists()
    elif status == 403:
        assert detail.json()["withheld"] == "〔商业秘密，已隐去〕"
        assert "账册" not in detail.content.decode()
        assert client.get(f"/evidence/{item.pk}/media").status_code == 403
        assert "账册" not in client.get(f"/evidence/{item.pk}/").content.decode()
    if status != 200:
        assert not MarkedRead.objects.filter(officer=personas[who]).exists()


def test_it_marks_an_upload_with_its_metadata(
    open_case: Case, personas: dict[str, Any], evidence_store: Any
) -> None:
    from casetrail.evidence.tests.helpers import upload
    from casetrail.evidence.tests.test_uploads import meta, video

    r = create(client_for("zhang"), 10, meta(None, mark="privacy", mark_reason="拍到病历"))
    assert r.status_code == 400 and r.json()["code"] == "mark_needs_case"
    r = upload(
        client_for("zhang"),
        video(evidence_store),
        meta(open_case, mark="privacy", mark_reason="拍到当事人病历"),
    )
    item_id = int(r["CaseTrail-Evidence"])
    (mark,) = Mark.objects.all()
    assert (mark.target, mark.kind) == (f"evidence:{item_id}", "privacy")


# --- the case's 密级 ---------------------------------------------------------------------------


def test_it_changes_the_cases_confidentiality_only_by_an_approved_decision(
    interviewed: Record, personas: dict[str, Any]
) -> None:
    from casetrail.approvals.actions import approval_decide
    from casetrail.approvals.models import Chain

    case = interviewed.case
    url = f"/api/cases/{case.pk}/confidentiality/"
    fields = {"to": "secret", "reason": "涉及当事人个人隐私", "opinion": "建议定为涉密"}
    # Only a handler of the case proposes; the same 密级 is refused; nothing written either way.
    before = entries()
    assert (
        client_for("wang")
        .post(url, {"fields": fields}, content_type="application/json")
        .status_code
        == 403
    )
    same = client_for("zhang").post(
        url, {"fields": {**fields, "to": "normal"}}, content_type="application/json"
    )
    assert same.status_code == 400 and same.json()["code"] == "same_confidentiality"
    assert entries() == before
    r = client_for("zhang").post(url, {"fields": fields}, content_type="application/json")
    assert r.status_code == 201, r.content
    case.refresh_from_db()
    assert case.confidentiality == "normal"  # not before the decision
    assert views_whole("sun", interviewed)
    chain = Chain.objects.get(kind="confidentiality_change")
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="批准")
    case.refresh_from_db()
    assert case.confidentiality == "secret"
    entry = LedgerEntry.objects.get(seq=entries() - 1)
    assert entry.case_ref == case.pk and '"confidentiality":"secret"' in entry.canonical
    # From now on the supervisor no longer reads its personal data; its handler with a reason.
    assert not views_whole("sun", interviewed)
    assert not views_whole("zhang", interviewed)
    assert views_whole("zhang", interviewed, reason="办案")
    assert MarkedRead.objects.filter(officer=personas["zhang"], reason="handling").exists()


def views_whole(who: str, record: Record, reason: str = "") -> bool:
    headers = {"X-Read-Reason": reason} if reason else {}
    r = client_for(who).get(f"/api/records/{record.pk}/", headers=headers)
    assert r.status_code == 200
    return r.json()["fields"]["content"] == ANSWERS
