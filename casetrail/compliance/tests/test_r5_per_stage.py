"""第五条 in earnest: a 重大复杂 case has audio/video in every stage, checked as each stage ends (the
start chain's approval for 程序启动, every stage change after it); an item counts for a stage when
its recorded time lies in the stage's span, a typed-in time only with its reason; a stage without
one moves on only with a reasoned exemption of that stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.models import Chain
from casetrail.cases.models import Case, Stage, StageChange
from casetrail.compliance.engine import RULES, CaseView, blockers, rule_blockers
from casetrail.compliance.tests.builders import investigated, make
from casetrail.conftest import client_for, film, start_ex_officio
from casetrail.decisions.tests.builders import decide
from casetrail.evidence.models import Item, Upload
from casetrail.evidence.tests.helpers import upload
from casetrail.evidence.tests.media_files import wav_bytes
from casetrail.evidence.tests.test_uploads import meta
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.usefixtures("evidence_store")


def r5(case: Case) -> set[str]:
    """The stages R5 still holds against the case (exempted ones met)."""
    case.refresh_from_db()
    return {f.missing.subject for f in rule_blockers(case, "R5")}


def advance(case: Case, who: str = "zhang") -> Any:
    return client_for(who).post(
        f"/api/cases/{case.pk}/advance/",
        {"fields": {"reason": "本阶段工作完成"}},
        content_type="application/json",
    )


def exempt(case: Case, stage: str, reason: str) -> Any:
    """张承办 proposes the stage's exemption with its reason; 王审核 and, 重大 as the case is,
    赵局长 approve it (第六条)."""
    r = client_for("zhang").post(
        f"/api/cases/{case.pk}/exemptions/",
        {"rule": "R5", "subject": f"stage:{stage}", "reason": reason, "facts": reason},
        content_type="application/json",
    )
    if r.status_code == 201:
        for who in ("wang", "zhao"):
            decided = client_for(who).post(
                f"/api/approvals/{r.json()['id']}/decide/",
                {"outcome": "approve", "opinion": "同意"},
                content_type="application/json",
            )
            assert decided.status_code == 201, decided.content
    return r


def audio(case: Case | None, *, seed: int, reason: str = "") -> Any:
    """A recording without any time in the file; its time typed in (ten seconds ago)."""
    ended = (timezone.localtime() - dt.timedelta(seconds=10)).isoformat()
    extra = {"time_reason": reason} if reason else {}
    return upload(
        client_for("zhang"),
        wav_bytes(seed=seed),
        meta(case, kind="audio", filename="询问录音.wav", recorded_end=ended, **extra),
    )


def test_it_checks_the_start_stage_when_the_start_is_approved(personas: Any) -> None:
    case = start_ex_officio(personas, is_major=True)
    # 本阶段还需 shows it while the case is in 程序启动.
    page = client_for("zhang").get(f"/cases/{case.pk}/section/todo/").content.decode()
    assert "R5" in page and "程序启动" in page
    chain = Chain.objects.get(case=case)
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    approval_decide(chain=chain, officer=personas["chen"], outcome="approve", opinion="合法")
    entries = LedgerEntry.objects.count()
    with pytest.raises(ActionError) as err:
        approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意")
    assert err.value.code == "transition_blocked" and "程序启动" in err.value.message
    case.refresh_from_db()
    assert case.stage == Stage.START and case.number is None
    assert LedgerEntry.objects.count() == entries
    # Recording was impossible: a reasoned exemption of that stage lets the start be approved.
    r = exempt(case, "start", "立案审批期间无现场执法活动，无可记录的执法过程")
    assert r.status_code == 201, r.content
    approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意")
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION and case.number


def test_it_checks_each_stage_of_a_major_case_as_it_ends(
    major: Case, personas: Any, later: Any
) -> None:
    investigated(major, personas)  # R12: the investigation's records, the party told and heard
    assert r5(major) == {"stage:investigation"}
    # Leaving 调查取证 without audio/video of it is refused, nothing written.
    r = advance(major)
    assert r.status_code == 400 and r.json()["code"] == "transition_blocked"
    assert any("R5" in d and "调查取证" in d for d in r.json()["details"])
    assert not StageChange.objects.filter(case=major, to_stage=Stage.DECISION).exists()
    # A typed-in time without a reason is refused for a 重大 case's recording …
    r = audio(major, seed=1)
    assert r["CaseTrail-Upload-State"] == "needs_details"
    assert Upload.objects.get().error_code == "time_reason_required"
    assert not Item.objects.filter(link__case=major, kind="audio").exists()
    # … and one recorded elsewhere without a reason, then put into the case, does not count.
    r = audio(None, seed=2)
    bare = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    r = client_for("zhang").post(
        f"/api/evidence/{bare.pk}/link/", {"case": major.pk}, content_type="application/json"
    )
    assert r.status_code == 201
    message = next(iter(RULES["R5"].check(CaseView(major)))).message
    assert f"#{bare.pk}" in message and "未说明理由" in message
    assert r5(major) == {"stage:investigation"}
    # With its reason it counts, and the reviewer sees the reason.
    reason = "录音笔无时钟，按询问笔录记载的询问时间填写"
    r = audio(major, seed=3, reason=reason)
    told = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    assert told.time_source == "entered" and told.time_reason == reason
    assert r5(major) == set()
    assert reason in client_for("wang").get(f"/cases/{major.pk}/section/media/").content.decode()
    assert advance(major).status_code == 201
    later()
    # 审查决定: its own span, not covered by the clips of 调查取证.
    assert r5(major) == {"stage:decision"}
    body = client_for("zhang").get(f"/api/cases/{major.pk}/compliance/").json()
    assert "stage:decision" in str(body)
    make(major, personas, "investigation_final_report")
    decide(major, personas)  # 审核, 法制审核, 集体讨论, 决定: the decision's chain (第十六–十八条)
    make(major, personas, "administrative_decision", penalty_amount="500.00")
    assert [f.missing.subject for f in blockers(major, Stage.SERVICE)] == ["stage:decision"]
    r = advance(major)
    assert r.status_code == 400 and "审查决定" in r.json()["message"]
    # The stage's exemption, with its reason, lets it end.
    assert exempt(major, "decision", " ").status_code == 400
    assert (
        exempt(major, "decision", "集体讨论在保密会议室进行，依规不得录音录像").status_code == 201
    )
    assert advance(major).status_code == 201
    later()
    # 送达执行 needs its own recording too; one made now covers it.
    assert r5(major) == {"stage:service"}
    film(major, personas["zhang"], "直接送达行政处罚决定书")
    assert r5(major) == set()


@pytest.mark.behind_the_application  # the flag set directly: no raise recorded
def test_it_asks_every_stage_of_a_case_major_without_a_recorded_raise(
    open_case: Case, personas: Any, later: Any
) -> None:
    later()
    film(open_case, personas["zhang"], "现场检查")
    assert r5(open_case) == set()  # not 重大: nothing asked
    assert "R5" not in {f.rule.id for f in blockers(open_case, Stage.DECISION)}
    # 重大 with no raise recorded (a case registered so, or data from before the flag's change was
    # a decision): 第五条 applies from the start — the investigation has its clip, the start stage
    # has none and must be accounted for. A raise recorded during the case counts from the raise
    # on (decisions/tests/other_chains/test_flags.py).
    Case.objects.filter(pk=open_case.pk).update(is_major=True)
    assert r5(open_case) == {"stage:start"}


def test_it_counts_an_item_only_for_the_stage_its_time_lies_in(
    major: Case, personas: Any, later: Any
) -> None:
    spans = CaseView(major).stage_spans
    clip = Item.objects.get(link__case=major)
    assert (
        spans[Stage.START][0] <= clip.recorded_start <= clip.recorded_end <= spans[Stage.START][1]
    )
    assert r5(major) == {"stage:investigation"}  # the start's clip is not the investigation's
    film(major, personas["zhang"], "现场检查")
    assert r5(major) == set()
