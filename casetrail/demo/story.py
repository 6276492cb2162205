"""The builder the demo cases are told with: one case made through the project's actions only, as
its two handlers (张承办, 李承办) and the people who approve would make it. The story happens "now":
every recorded time is the moment the step is made, so nothing is in the future or before the case
began."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.checklists import LEGAL_REVIEW_ITEMS
from casetrail.approvals.models import Chain, ChainStatus
from casetrail.approvals.selectors import ROLE_FOR_STATUS
from casetrail.cases.actions import case_advance
from casetrail.cases.models import Case, Party
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.decisions.actions import closing_propose, decision_propose
from casetrail.demo.media import (
    audio_m4a,
    document_pdf,
    photo_jpeg,
    scan_jpeg,
    seal_png,
    signature_png,
    video_mp4,
)
from casetrail.evidence.actions import RecordInput, blob_ingest, evidence_record_create
from casetrail.evidence.ingest import store_bytes
from casetrail.evidence.media import probe
from casetrail.evidence.storage import blob_store
from casetrail.lib.digests import MultiHasher
from casetrail.org.models import Device, Officer, clock_tzinfo
from casetrail.records.actions import (
    OfficerPresent,
    SignatureInput,
    record_attach,
    record_create,
)
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record
from casetrail.start.actions import case_start_ex_officio, case_start_on_the_spot
from casetrail.start.summary import OnTheSpot
from casetrail.start.writes import ON_THE_SPOT_DOCUMENTS

AGENCY_SEAL = "陵川县民政局"
DEVICE_SERIAL = "LCMZ-DSJ-001"
REVIEW_BODY = "陵川县人民政府"
COURT = "陵川县人民法院"
REVIEW_PERIOD = "自收到本决定书之日起六十日内"
LITIGATION_PERIOD = "自收到本决定书之日起六个月内"


@dataclass(frozen=True)
class DemoCase:
    title: str
    number: str
    stage: str
    created: bool


def now() -> dt.datetime:
    return timezone.localtime()


def today() -> dt.date:
    return timezone.localdate()


class Story:
    """Builds one case through the actions, as its two handlers (张承办, 李承办) would."""

    def __init__(self, personas: dict[str, Officer], device: Device | None, title: str) -> None:
        self.p = personas
        self.zhang, self.li = personas["zhang"], personas["li"]
        self.device = device
        self.title = title
        self.case: Case | None = None
        self.party: Party | None = None
        self.signer = ""  # who signs for the party
        self._n = 0
        self._salt = int(hashlib.sha256(f"{title}/{time.time_ns()}".encode()).hexdigest()[:8], 16)

    # --- start and stages ---

    def _case(
        self, category: str, party: PartyInput, *, procedure: str, is_major: bool = False
    ) -> CaseInput:
        """The case as 张承办 enters it, handled with 李承办 (行政处罚法第四十二条: two)."""
        return CaseInput(
            unit=self.zhang.unit,
            title=self.title,
            category=category,
            officers=[self.zhang, self.li],
            procedure=procedure,
            is_major=is_major,
            parties=[party],
        )

    def start(
        self,
        *,
        category: str,
        procedure: str,
        party: PartyInput,
        signer: str,
        reason: str,
        party_facts: str,
        opinion: str,
        is_major: bool = False,
        start_clip: tuple[str, str] | None = None,
    ) -> Case:
        """Start the case ex officio and have its start approved; ``start_clip`` (what, where) is
        recorded while the start awaits approval (第五条: a 重大 case's 程序启动 is filmed too)."""
        case = case_start_ex_officio(
            officer=self.zhang,
            data=self._case(category, party, procedure=procedure, is_major=is_major),
            reason=reason,
            party_facts=party_facts,
            opinion=opinion,
        )
        self.case = case
        if start_clip is not None:
            self.video(*start_clip)
        chain = case.chains.get(kind="case_start")
        approval_decide(
            chain=chain, officer=self.p["wang"], outcome="approve", opinion="事实清楚，同意启动"
        )
        if is_major:
            approval_decide(
                chain=chain,
                officer=self.p["chen"],
                outcome="approve",
                opinion="经合法性审查，启动程序的主体、依据和程序合法，同意提交局长审批",
            )
        approval_decide(chain=chain, officer=self.p["zhao"], outcome="approve", opinion="同意立案")
        case.refresh_from_db()
        self.case = case
        self.party = case.parties.get(role=Party.Role.PARTY)
        self.signer = signer
        return case

    def start_on_the_spot(
        self, *, category: str, party: PartyInput, signer: str, spot: OnTheSpot
    ) -> Case:
        """简易程序: 张承办 and 李承办 show their certificates and decide on the spot; the case is
        opened with the 简易程序记录, the 当场行政处罚决定书 and its 送达回证, each signed (the
        party by ``signer``), without a start approval (行政处罚法第五十一、五十二条)."""
        self.signer = signer
        case = case_start_on_the_spot(
            officer=self.zhang,
            data=self._case(category, party, procedure="summary"),
            spot=spot,
            certificates_shown=True,
            signatures={kind: self.signatures(kind) for kind in ON_THE_SPOT_DOCUMENTS},
        )
        self.case = case
        self.party = case.parties.get(role=Party.Role.PARTY)
        return case

    @property
    def party_id(self) -> int:
        assert self.party is not None, "start the story first"
        return self.party.pk

    @property
    def party_field(self) -> dict[str, int]:
        """The document field naming the case's party, as most documents have it."""
        return {"party": self.party_id}

    @property
    def opened(self) -> Case:
        """The case once started (every step after ``start`` has one)."""
        assert self.case is not None, "start the story first"
        return self.case

    def advance(self, to_stage: str, reason: str) -> None:
        assert self.case is not None
        case_advance(case=self.case, officer=self.zhang, to_stage=to_stage, reason=reason)
        self.case.refresh_from_db()

    def approve(self, chain: Chain, opinions: dict[str, str]) -> Chain:
        """Take a chain through its plan, each step by the persona who holds it in their own
        name: 王审核 reviews, 陈法制 reviews legality item by item, 赵局长 decides."""
        who = {"review": "wang", "legal": "chen", "decide": "zhao"}
        chain.refresh_from_db()
        while chain.is_open:
            role, _ = ROLE_FOR_STATUS[ChainStatus(chain.status)]
            findings = [{"item": code, "finding": "ok"} for code, _ in LEGAL_REVIEW_ITEMS]
            approval_decide(
                chain=chain,
                officer=self.p[who[role]],
                outcome="approve",
                opinion=opinions.get(role, "同意"),
                findings=findings if role == "legal" else None,
            )
            chain.refresh_from_db()
        return chain

    def close(self, ground: str, course: str, outcome: str) -> None:
        """结案审批 (第六条): 张承办 proposes, 王审核 reviews, 赵局长 approves; the case is closed."""
        chain = closing_propose(
            case=self.opened,
            officer=self.zhang,
            fields={"ground": ground, "course": course, "outcome": outcome},
            opinion="案件已办理终结，符合结案条件，建议结案",
        )
        self.approve(chain, {"review": "办理程序完备，同意结案", "decide": "同意结案"})
        self.opened.refresh_from_db()

    # --- the decision on the case (处理决定审批, 第六条、第十五至十九条) ---

    def propose_decision(self, fields: dict[str, Any], opinion: str) -> Chain:
        """张承办 proposes the decision with the 处理决定审批表 and his 初审意见."""
        return decision_propose(
            case=self.opened, officer=self.zhang, fields=fields, opinion=opinion
        )

    def review(self, chain: Chain, opinion: str) -> None:
        """王审核, the unit's reviewer, approves in his own login."""
        approval_decide(chain=chain, officer=self.p["wang"], outcome="approve", opinion=opinion)
        chain.refresh_from_db()

    def legal_review(self, chain: Chain, opinion: str, notes: dict[str, str]) -> None:
        """陈法制 of the 法制股 reviews item by item on the checklist (行政处罚法第五十八条)."""
        findings = [
            {"item": code, "finding": "ok", "note": notes.get(code, "")}
            for code, _ in LEGAL_REVIEW_ITEMS
        ]
        approval_decide(
            chain=chain,
            officer=self.p["chen"],
            outcome="approve",
            opinion=opinion,
            findings=findings,
        )
        chain.refresh_from_db()

    def discuss(self, chain: Chain, chair: str, views: dict[str, str], conclusion: str) -> None:
        """The leaders' collective discussion (第十八条), recorded by its chair with each view."""
        approval_decide(
            chain=chain,
            officer=self.p[chair],
            outcome="approve",
            opinion=conclusion,
            participants=[{"id": self.p[who].pk, "view": view} for who, view in views.items()],
        )
        chain.refresh_from_db()

    def decide(self, chain: Chain, opinion: str) -> None:
        """赵局长 decides (第十九条), in his own login."""
        approval_decide(chain=chain, officer=self.p["zhao"], outcome="approve", opinion=opinion)
        chain.refresh_from_db()

    # --- records ---

    def signatures(
        self,
        kind: str,
        *,
        sign: dict[str, str] | None = None,
        refuse: dict[str, tuple[str, str]] | None = None,
    ) -> list[SignatureInput]:
        """Every signature the catalogue entry of ``kind`` requires: drawn on screen (the
        agency's seal for "other" by default), or refused with the reason."""
        doc = CATALOGUE[kind]
        defaults = {
            "officers": "张承办、李承办",
            "server": "张承办、李承办",
            "drafter": "张承办",
            "reviewer": "王审核",
            "approver": "赵局长",
            "legal_reviewer": "陈法制",
            "other": AGENCY_SEAL,
            "party": self.signer,
            "interviewee": self.signer,
            "recipient": self.signer,
        }
        defaults.update(sign or {})
        signatures = []
        for s in doc.signatures:
            if refuse and s.key in refuse:
                name, reason = refuse[s.key]
                signatures.append(SignatureInput(s.key, name, "refused", refusal_reason=reason))
                continue
            if not s.required and s.key not in (sign or {}):
                continue  # an optional signature (a witness) only where one signed
            name = defaults.get(s.key) or defaults[s.role]
            image = seal_png(name) if name == AGENCY_SEAL else signature_png(name)
            signatures.append(SignatureInput(s.key, name, "drawn", image=image))
        return signatures

    def record(
        self,
        kind: str,
        fields: dict[str, Any],
        *,
        by: Officer | None = None,
        sign: dict[str, str] | None = None,
        refuse: dict[str, tuple[str, str]] | None = None,
    ) -> Record:
        """Make a document of the current stage with every signature its catalogue entry requires:
        drawn on screen (the agency's seal for "other" by default), or refused with the reason."""
        assert self.case is not None
        doc = CATALOGUE[kind]
        signatures = self.signatures(kind, sign=sign, refuse=refuse)
        present = (
            [OfficerPresent(self.zhang.pk, True), OfficerPresent(self.li.pk, True)]
            if doc.officers_min
            else None
        )
        return record_create(
            case=self.case,
            officer=by or self.zhang,
            kind=kind,
            fields=fields,
            officers_present=present,
            signatures=signatures,
        )

    # --- media and attachments ---

    def _seed(self) -> int:
        self._n += 1
        return self._salt + self._n * 7919

    def _evidence(self, kind: str, data: bytes, suffix: str, description: str, place: str) -> Any:
        """Store generated bytes as a blob and record them as audio/video or a photo of the case,
        recorded just now by 张承办's body camera: its time is read from the file (a clip's with
        the camera's clock setting, a photo's with the offset its EXIF states)."""
        digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
        store = blob_store()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"demo{suffix}"
            path.write_bytes(data)
            media = probe(path)
            store.put_file(digests["sha256"], path, move=False)
        media_type = media.pop("media_type")
        blob, _ = blob_ingest(
            officer=self.zhang,
            sha256=digests["sha256"],
            sm3=digests["sm3"],
            size=len(data),
            media_type=media_type,
            storage=store.name,
        )
        end = timezone.now()
        stamp = timezone.localtime(end).strftime("%Y%m%d_%H%M%S")
        return evidence_record_create(
            officer=self.zhang,
            blob=blob,
            media=media,
            file_name=f"{DEVICE_SERIAL}_{stamp}_{self._n:02d}{suffix}",
            data=RecordInput(
                kind=kind,
                device=self.device,
                place=place,
                informed="told",
                informed_how="开启执法记录仪前口头告知当事人及在场人员正在进行音像记录",
                description=description,
                case=self.case,
            ),
        )

    @property
    def _camera(self) -> dict[str, Any]:
        """A clip starting now, as the registered camera's clock writes it into the file."""
        clock = clock_tzinfo(self.device.clock) if self.device is not None else None
        return {"created": timezone.now(), "clock": clock or dt.UTC}

    def video(self, description: str, place: str) -> Any:
        data = video_mp4(self._seed(), **self._camera)
        return self._evidence("video", data, ".mp4", description, place)

    def audio(self, description: str, place: str) -> Any:
        data = audio_m4a(self._seed(), **self._camera)
        return self._evidence("audio", data, ".m4a", description, place)

    def photo(self, description: str, place: str) -> Any:
        data = photo_jpeg(self._seed(), **self._camera)
        return self._evidence("photo", data, ".jpg", description, place)

    def attach(self, record: Record, slot: str, item: Any = None) -> None:
        """Attach an evidence item (a slot of kind "av", "photo") or a generated scan / document
        to the named slot of the record's catalogue entry."""
        wanted = record.doc.attachment(slot) if record.doc else None
        kind = wanted.kind if wanted is not None else slot
        if kind in ("av", "photo"):
            record_attach(record=record, officer=self.zhang, slot=slot, item_id=item.pk)
            return
        data = scan_jpeg(self._seed()) if kind == "signed_scan" else document_pdf(self._seed())
        media_type = "image/jpeg" if kind == "signed_scan" else "application/pdf"
        blob = store_bytes(officer=self.zhang, data=data, media_type=media_type)
        record_attach(record=record, officer=self.zhang, slot=slot, blob_sha256=blob.sha256)

    def investigation_receipt(self, document: Record, place: str) -> Record:
        """The 送达回证 of a document served in the investigation, signed on the spot."""
        person = self.party is not None and self.party.kind == "person"
        receipt = self.record(
            "service_receipt",
            {
                "document": document.pk,
                "recipient": {"name": self.party.name if self.party else ""},
                "party": self.party_id,
                "signer_relation": "self" if person else "representative",
                "signer": None if person else {"name": self.signer},
                "method": "direct",
                "place": place,
                "served_at": now(),
                "server": [self.zhang.pk, self.li.pk],
            },
        )
        self.attach(receipt, "signed_scan")
        return receipt
