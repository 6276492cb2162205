"""Service that did not happen is not service (第二十三条; 行政处罚法第六十一条): a returned letter, an
unconfirmed fax or e-mail does not satisfy R22 nor end the service deadline; 留置送达 (第二十四条) and
公告送达 (第二十五条) need the audio/video of that very service attached to their record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from casetrail.cases.models import Case, Stage, StageChange
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import RULES, CaseView, blockers
from casetrail.compliance.service import effective_service_date
from casetrail.compliance.tests.builders import make, returned_by_post
from casetrail.conftest import client_for, film
from casetrail.evidence.models import Item
from casetrail.evidence.tests.helpers import upload
from casetrail.evidence.tests.test_uploads import meta, video
from casetrail.ledger.models import LedgerEntry
from casetrail.records.models import Record


def r22(case: Case) -> dict[str, list[str]]:
    """R22's findings by subject."""
    case.refresh_from_db()
    out: dict[str, list[str]] = {}
    for m in RULES["R22"].check(CaseView(case)):
        out.setdefault(m.subject, []).append(m.message)
    return out


def service_deadline(case: Case) -> Any:
    (d,) = [d for d in deadlines_of(case) if d.rule == "CF61"]
    return d


def attach(record: Record, item: Item) -> Any:
    return client_for("zhang").post(
        f"/api/records/{record.pk}/attachments/",
        {"slot": "av", "item": item.pk},
        content_type="application/json",
    )


def clip_hours_ago(case: Case, tmp_path: Path, hours: float, seed: int) -> Item:
    """A clip of the case recorded ``hours`` ago (its time in the file), uploaded over tus."""
    r = upload(client_for("zhang"), video(tmp_path, hours_ago=hours, seed=seed), meta(case))
    return Item.objects.get(pk=int(r["CaseTrail-Evidence"]))


def test_it_does_not_count_a_returned_letter_as_service(serving: Case, personas: Any) -> None:
    decision = serving.records.get(kind="administrative_decision")
    mail = returned_by_post(serving, personas, decision)
    assert effective_service_date(mail) is None
    (message,) = r22(serving)[f"record:{decision.pk}"]
    assert "尚未送达" in message and "邮件被退回" in message
    assert not service_deadline(serving).done  # 行政处罚法第六十一条: the seven days still run
    assert "R22" in {f.rule.id for f in blockers(serving, Stage.CLOSED)}
    # Proposing to close the case on it (结案审批) is refused, with the reason, and writes nothing.
    entries = LedgerEntry.objects.count()
    r = client_for("zhang").post(
        f"/api/cases/{serving.pk}/closing/",
        {
            "fields": {"ground": "performed", "course": "已邮寄送达", "outcome": "罚款已缴纳"},
            "opinion": "建议结案",
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "transition_blocked"
    assert any("R22" in d and "邮件被退回" in d for d in r.json()["details"])
    assert LedgerEntry.objects.count() == entries
    assert not StageChange.objects.filter(case=serving, to_stage=Stage.CLOSED).exists()
    # Served in person afterwards: now it is service, and the deadline is met.
    make(serving, personas, "service_receipt", document=decision.pk)
    assert f"record:{decision.pk}" not in r22(serving)
    assert service_deadline(serving).done


def test_it_does_not_count_an_unconfirmed_fax_or_a_failed_email(
    serving: Case, personas: Any
) -> None:
    decision = serving.records.get(kind="administrative_decision")
    fax = make(serving, personas, "fax_service_record", document=decision.pk, outcome="unconfirmed")
    assert fax.catalogue_version == 3 and not fax.fields.get("arrived_at")
    email = make(
        serving, personas, "electronic_service_record", document=decision.pk, outcome="failed"
    )
    assert effective_service_date(fax) is None and effective_service_date(email) is None
    (message,) = r22(serving)[f"record:{decision.pk}"]
    assert "未能确认送达到达" in message and "发送失败" in message
    assert not service_deadline(serving).done
    # A fax the recipient confirmed is service.
    confirmed = make(
        serving,
        personas,
        "fax_service_record",
        document=decision.pk,
        outcome="confirmed",
        confirmation="电话确认当事人本人收到",
    )
    assert effective_service_date(confirmed) == timezone.localdate()
    assert f"record:{decision.pk}" not in r22(serving) and service_deadline(serving).done


def test_it_reads_a_version_2_fax_by_its_arrival_time() -> None:
    arrived = timezone.localtime().replace(microsecond=0)
    old = SimpleNamespace(kind="fax_service_record", fields={"arrived_at": arrived.isoformat()})
    assert effective_service_date(old) == arrived.date()


@pytest.mark.usefixtures("evidence_store")
def test_it_wants_the_clip_of_that_very_service_on_a_left_service_record(
    serving: Case, personas: Any, tmp_path: Path
) -> None:
    decision = serving.records.get(kind="administrative_decision")
    served = timezone.localtime() - dt.timedelta(minutes=5)
    receipt = make(
        serving,
        personas,
        "service_receipt",
        document=decision.pk,
        method="left",
        signer_relation="none",
        served_at=served.isoformat(),
    )
    left = make(
        serving,
        personas,
        "left_service_record",
        document=decision.pk,
        receipt=receipt.pk,
        served_at=served.isoformat(),
    )
    # A clip of the case made at the time, but not attached to the service: not enough.
    right = film(serving, personas["zhang"], "留置送达全过程")
    findings = r22(serving)
    assert any("未附送达过程的音像记录" in m for m in findings[f"record:{left.pk}"])
    assert any("未附送达过程的音像记录" in m for m in findings[f"record:{receipt.pk}"])
    # A clip of the case from another hour, attached: the wrong clip.
    wrong = clip_hours_ago(serving, tmp_path, 3, seed=7)
    assert attach(left, wrong).status_code == 201
    (message,) = r22(serving)[f"record:{left.pk}"]
    assert f"#{wrong.pk}" in message and "不在本次送达" in message
    # The clip of the service itself, attached to both records of it: met.
    assert attach(left, right).status_code == 201
    assert attach(receipt, right).status_code == 201
    findings = r22(serving)
    assert f"record:{left.pk}" not in findings and f"record:{receipt.pk}" not in findings


@pytest.mark.usefixtures("evidence_store")
def test_it_wants_the_clip_of_the_posting_on_a_public_notice(
    serving: Case, personas: Any, tmp_path: Path
) -> None:
    decision = serving.records.get(kind="administrative_decision")
    make(serving, personas, "mail_service_record", document=decision.pk, outcome="returned")
    notice = make(
        serving,
        personas,
        "public_notice_service_record",
        document=decision.pk,
        published_at=timezone.localtime().isoformat(),
    )
    wrong = clip_hours_ago(serving, tmp_path, 5, seed=8)
    assert attach(notice, wrong).status_code == 201
    (message,) = [m for m in r22(serving)[f"record:{notice.pk}"] if "音像记录" in m]
    assert "不在本次送达" in message and "第二十四、二十五条" in message
    right = film(serving, personas["zhang"], "张贴公告全过程")
    assert attach(notice, right).status_code == 201
    # The notice is service (effective thirty days on), with the clip of its posting; only its
    # written copy is still to be attached.
    findings = r22(serving)
    assert findings[f"record:{notice.pk}"] == [
        f"{notice.reference}：缺少附件“书面公告留存件”（第二十三条至第二十六条）"
    ]
    assert f"record:{decision.pk}" not in findings
