"""Three demo cases of 陵川县民政局 (issue 5, item 7), built only through the project's actions.

Together they pass through every stage and use every service method a county bureau meets in
practice (all of 第二十二至二十六条 but 转交送达, which needs a recipient in the army, in custody or
under compulsory education):

1. 简易程序警告 — a summary-procedure warning served directly (直接送达);
2. 普通程序罚款 — inspection and sampling filmed (第十三条), interview, evidence request and register,
   rights notice, statement and hearing, 法制审核 and the leader's approval, a fine served by
   registered mail (邮寄送达), an order to correct served electronically (电子送达), paid in full;
3. 重大案件 — legal review in the start chain, audio/video in every stage (第五条), collective
   discussion, mail returned then 公告送达, a 催告书 left at the residence (留置送达), the review of the
   party's statement served by fax (传真送达), an enforcement decision served through another bureau
   (委托送达), and 申请人民法院强制执行 recorded to its result.

Generated photos (Pillow) and one-second clips (PyAV) stand in for field media; each is stored as
a real blob and recorded as evidence of the case. The story happens "now": every recorded time is
the moment the step is made, so nothing is in the future or before the case began.

Loading is idempotent: a case whose title already exists in the agency is left alone. Each case is
built in one transaction, so a failure leaves no half-built case behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.cases.actions import case_advance
from casetrail.cases.models import Case, Party, Stage
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.evidence.ingest import store_bytes
from casetrail.org.models import Device, Officer
from casetrail.records.actions import (
    OfficerPresent,
    SignatureInput,
    record_attach,
    record_correct,
    record_create,
)
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record
from casetrail.start.actions import case_start_ex_officio

AGENCY_SEAL = "陵川县民政局"
DEVICE_SERIAL = "LCMZ-DSJ-001"
REVIEW_BODY = "陵川县人民政府"
COURT = "陵川县人民法院"
REVIEW_PERIOD = "自收到本决定书之日起六十日内"
LITIGATION_PERIOD = "自收到本决定书之日起六个月内"

SUMMARY_TITLE = "陵川县康乐颐养院未与入住老年人签订服务协议案"
ORDINARY_TITLE = "钱某销售封建迷信殡葬用品案"
MAJOR_TITLE = "陵川县福寿养老服务中心未按强制性国家标准提供养老服务案"


@dataclass(frozen=True)
class DemoCase:
    title: str
    number: str
    stage: str
    created: bool


# --- generated media ------------------------------------------------------------------------------


def _rgb(seed: int, shift: int = 0) -> tuple[int, int, int]:
    return ((seed * 73 + shift) % 200 + 30, (seed * 151 + shift * 3) % 200 + 30, (seed * 29) % 200)


def _pattern(draw: Any, seed: int, x: int, y: int, cell: int = 3) -> None:
    """A strip of 40 dark or light cells spelling ``seed``: generated media never repeat, so
    content addressing keeps each as its own blob."""
    for bit in range(40):
        shade = (20, 20, 20) if seed >> bit & 1 else (235, 235, 235)
        left = x + (bit % 20) * cell
        top = y + (bit // 20) * cell
        draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=shade)


def photo_jpeg(seed: int) -> bytes:
    """A small coloured JPEG with a pattern of its own (no caption)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 72), _rgb(seed))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x, y = (seed * (i + 3) * 17) % 80, (seed * (i + 5) * 11) % 56
        draw.rectangle((x, y, x + 14, y + 14), fill=_rgb(seed, i * 40))
    draw.ellipse((30, 20, 30 + seed % 30, 40 + seed % 20), outline=(250, 250, 250), width=2)
    _pattern(draw, seed, 4, 60)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def _page(seed: int) -> Any:
    """A white page with lines standing for text and a red seal: a scan or a document."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 170), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    for row in range(14):
        width = 20 + (seed * (row + 7) * 13) % 80
        draw.line((10, 12 + row * 10, 10 + width, 12 + row * 10), fill=(60, 60, 60), width=2)
    x = 60 + seed % 30
    draw.ellipse((x, 120, x + 34, 154), outline=(200, 20, 20), width=3)
    _pattern(draw, seed, 8, 158, cell=4)
    return image


def scan_jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    _page(seed).convert("L").save(buf, "JPEG", quality=60)
    return buf.getvalue()


def document_pdf(seed: int) -> bytes:
    buf = io.BytesIO()
    _page(seed).save(buf, "PDF", resolution=72.0)
    return buf.getvalue()


def signature_png(name: str) -> bytes:
    """A drawn signature: a scribble that is the same for the same signer."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    image = Image.new("L", (96, 28), 255)
    draw = ImageDraw.Draw(image)
    points = [(6 + i * 7, 4 + digest[i] % 20) for i in range(13)]
    draw.line(points, fill=0, width=2)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def seal_png(name: str) -> bytes:
    """The agency's seal as stamped on screen: a red ring."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    image = Image.new("RGB", (48, 48), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((3, 3, 44, 44), outline=(210, 20, 20), width=3)
    draw.regular_polygon((24, 24, 8), 5, fill=(210, 20, 20), rotation=digest[0] % 72)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _encoder(names: tuple[str, ...]) -> str:
    import av

    for name in names:
        try:
            av.Codec(name, "w")
            return name
        except Exception:  # not built into this FFmpeg
            continue
    raise RuntimeError(f"PyAV has none of the encoders {names}")


def video_mp4(seed: int, frames: int = 10) -> bytes:
    """A one-second 64×48 MP4 (MPEG-4 Part 2 where available) whose frames depend on ``seed``."""
    import av
    from PIL import Image, ImageDraw

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        container.metadata["comment"] = f"casetrail demo {seed}"  # unique bytes per clip
        stream = container.add_stream(_encoder(("mpeg4", "libx264", "mjpeg")), rate=frames)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            image = Image.new("RGB", (64, 48), _rgb(seed, i * 5))
            draw = ImageDraw.Draw(image)
            draw.rectangle((i * 5, 8 + seed % 16, i * 5 + 12, 24 + seed % 16), fill=_rgb(seed, 90))
            _pattern(draw, seed, 2, 40)
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def audio_m4a(seed: int, rate: int = 16000) -> bytes:
    """A one-second tone (its pitch from ``seed``) in an MP4 audio file."""
    import av

    buf = io.BytesIO()
    pitch = 220 + (seed % 40) * 15
    with av.open(buf, "w", format="mp4") as container:
        container.metadata["comment"] = f"casetrail demo {seed}"  # unique bytes per clip
        stream = container.add_stream(_encoder(("aac", "libopus", "mp2")), rate=rate)
        stream.layout = "mono"
        size = 1024
        for chunk in range(rate // size + 1):
            start = chunk * size
            data = b"".join(
                struct.pack("<h", int(6000 * math.sin(2 * math.pi * pitch * (start + k) / rate)))
                for k in range(size)
            )
            frame = av.AudioFrame(format="s16", layout="mono", samples=size)
            frame.planes[0].update(data)
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


# --- the story builder ------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.localtime()


def _today() -> dt.date:
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
    ) -> Case:
        case = case_start_ex_officio(
            officer=self.zhang,
            data=CaseInput(
                unit=self.zhang.unit,
                title=self.title,
                category=category,
                officers=[self.zhang, self.li],
                procedure=procedure,
                is_major=is_major,
                parties=[party],
            ),
            reason=reason,
            party_facts=party_facts,
            opinion=opinion,
        )
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

    def advance(self, to_stage: str, reason: str) -> None:
        assert self.case is not None
        case_advance(case=self.case, officer=self.zhang, to_stage=to_stage, reason=reason)
        self.case.refresh_from_db()

    @property
    def doc_no(self) -> str:
        assert self.case is not None
        return f"陵民罚决〔{self.case.number_year}〕{self.case.number_seq}号"

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

    def _evidence(
        self, kind: str, data: bytes, suffix: str, description: str, place: str, seconds: int
    ) -> Any:
        """Store generated bytes as a blob and record them as audio/video or a photo of the case,
        recorded just now by 张承办's body camera."""
        from casetrail.evidence.actions import RecordInput, blob_ingest, evidence_record_create
        from casetrail.evidence.media import probe
        from casetrail.evidence.storage import blob_store
        from casetrail.lib.digests import MultiHasher

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
                recorded_start=end - dt.timedelta(seconds=seconds),
                recorded_end=end,
                place=place,
                informed="told",
                informed_how="开启执法记录仪前口头告知当事人及在场人员正在进行音像记录",
                description=description,
                case=self.case,
            ),
        )

    def video(self, description: str, place: str) -> Any:
        return self._evidence("video", video_mp4(self._seed()), ".mp4", description, place, 1)

    def audio(self, description: str, place: str) -> Any:
        return self._evidence("audio", audio_m4a(self._seed()), ".m4a", description, place, 1)

    def photo(self, description: str, place: str) -> Any:
        return self._evidence("photo", photo_jpeg(self._seed()), ".jpg", description, place, 0)

    def attach(self, record: Record, slot: str, item: Any = None) -> None:
        """Attach an evidence item (a slot of kind "av", "photo") or a generated scan / document
        to the named slot of the record's catalogue entry."""
        doc = record.doc
        kind = doc.attachment(slot).kind if doc and doc.attachment(slot) else slot
        if kind in ("av", "photo"):
            record_attach(record=record, officer=self.zhang, slot=slot, item_id=item.pk)
            return
        data = scan_jpeg(self._seed()) if kind == "signed_scan" else document_pdf(self._seed())
        media_type = "image/jpeg" if kind == "signed_scan" else "application/pdf"
        blob = store_bytes(officer=self.zhang, data=data, media_type=media_type)
        record_attach(record=record, officer=self.zhang, slot=slot, blob_sha256=blob.sha256)


# --- 1. 简易程序警告 -----------------------------------------------------------------------------------

ELDERLY_RULES = "《养老机构管理办法》（民政部令第66号）第四十六条"


def summary_warning(s: Story) -> Case:
    place = "陵川县崇文镇府前街18号陵川县康乐颐养院"
    s.start(
        category="elderly",
        procedure="summary",
        party=PartyInput(
            kind="organisation",
            name="陵川县康乐颐养院",
            credit_code="52140524MJ0123456K",
            representative="刘某某",
            phone="0356-6201234",
            address="山西省晋城市陵川县崇文镇府前街18号",
        ),
        signer="刘某某",
        reason="养老机构服务质量日常监督检查中发现该院未与部分入住老年人签订服务协议",
        party_facts="陵川县康乐颐养院，民办非企业单位，院长刘某某，入住老年人26名",
        opinion="违法事实确凿、情节轻微，拟适用简易程序当场给予警告",
    )
    # Approved by the director, the case is now in 调查取证.
    begun = _now()
    clip = s.video("现场检查全过程", place)
    inspection = s.record(
        "inspection_record",
        {
            "kind": "inspection",
            "place": place,
            "started_at": begun,
            "ended_at": _now(),
            "party": s.party.pk,
            "present_person": {"name": "刘某某（院长）"},
            "av_notified": True,
            "findings": "抽查入住老年人档案26份，其中4名老年人入住时未与本院签订服务协议，"
            "院方未能提供协议文本。",
            "read_back": True,
        },
    )
    s.attach(inspection, "av", clip)
    s.attach(inspection, "photo", s.photo("入住老年人档案抽查情况", place))
    s.advance("decision", "现场检查完毕，违法事实确凿，当场处理")

    made = _now()
    record = s.record(
        "summary_procedure_record",
        {
            "made_at": made,
            "place": place,
            "party": s.party.pk,
            "conditions": "违法事实确凿并有法定依据，对法人或者其他组织给予警告，"
            "符合《中华人民共和国行政处罚法》第五十一条规定的简易程序条件。",
            "steps": "执法人员二人出示执法证件、表明身份；告知当事人违法事实、处罚理由和依据及"
            "陈述申辩权；听取陈述申辩；填写预定格式、编有号码的行政处罚决定书并当场交付。",
            "documents": ["现场检查笔录", f"当场行政处罚决定书（{s.doc_no}）"],
            "facts": "该院有4名入住老年人未签订服务协议。",
            "legal_basis": f"{ELDERLY_RULES}第（二）项",
            "decision": "给予警告，责令立即与上述老年人或者其代理人签订服务协议。",
            "statements": "当事人对违法事实无异议，表示立即补签服务协议。",
            "review": "当事人陈述属实，未提出新的事实和理由。",
            "adopted": "adopted",
            "adoption_reasons": "当事人积极整改，予以采纳，依法给予警告。",
            "filed_with": "陵川县民政局法制股",
            "filing": "简易程序记录及当场行政处罚决定书复印件",
            "filed_on": _today(),
            "collected_on_spot": False,
            "contentious": False,
        },
    )
    s.attach(record, "photo", s.photo("当场宣告处罚决定", place))
    s.attach(record, "signed_scan")
    decision = s.record(
        "administrative_decision",
        {
            "doc_no": s.doc_no,
            "decided_at": _now(),
            "party": s.party.pk,
            "facts": "当事人有4名入住老年人未与其签订服务协议。",
            "evidence": ["现场检查笔录及音像记录", "入住老年人档案"],
            "legal_basis": f"{ELDERLY_RULES}第（二）项；《中华人民共和国行政处罚法》第五十一条",
            "reasons": "违法事实确凿，情节轻微，当事人当场表示整改。",
            "decision": "警告。",
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(decision, "signed_scan")
    s.advance("service", "当场作出警告决定，进入送达执行")

    served = _now()
    receipt = s.record(
        "service_receipt",
        {
            "document": decision.pk,
            "recipient": {"name": "陵川县康乐颐养院"},
            "party": s.party.pk,
            "signer": {"name": "刘某某（院长）"},
            "signer_relation": "representative",
            "method": "direct",
            "place": place,
            "served_at": served,
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(receipt, "signed_scan")
    direct = s.record(
        "direct_service_record",
        {
            "document": decision.pk,
            "receipt": receipt.pk,
            "recipient": {"name": "陵川县康乐颐养院"},
            "signer": {"name": "刘某某（院长）"},
            "place": place,
            "served_at": served,
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(direct, "photo", s.photo("当场交付决定书", place))
    performance = s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": _now(),
            "status": "full",
            "performed_on": _today(),
            "details": "警告已当场宣告并送达；当事人当日与4名老年人补签服务协议。",
        },
    )
    s.attach(performance, "photo", s.photo("补签的服务协议", place))
    s.advance("closed", "决定已送达并履行完毕")
    return s.case


# --- 2. 普通程序罚款（听证、法制审核） -------------------------------------------------------------------

FUNERAL_RULES = "《殡葬管理条例》第二十二条第二款"


def ordinary_fine(s: Story) -> Case:
    shop = "陵川县崇文镇东街56号钱某殡葬用品店"
    office = "陵川县民政局询问室"
    s.start(
        category="funeral",
        procedure="ordinary",
        party=PartyInput(
            kind="person",
            name="钱某",
            id_number="140524197806153016",
            phone="13903561234",
            address="山西省晋城市陵川县崇文镇东街56号",
        ),
        signer="钱某",
        reason="群众举报该店销售纸扎别墅、冥币等封建迷信殡葬用品，经初步核实存在违法嫌疑",
        party_facts="钱某，男，个体工商户，经营殡葬用品零售",
        opinion="建议立案调查",
    )
    fields_party = {"party": s.party.pk}

    # 现场检查 and 抽样, each filmed as it happens (第十三条).
    begun = _now()
    clip = s.video("现场检查全过程", shop)
    inspection = s.record(
        "inspection_record",
        {
            "kind": "inspection",
            "place": shop,
            "started_at": begun,
            "ended_at": _now(),
            **fields_party,
            "present_person": {"name": "钱某（经营者）"},
            "av_notified": True,
            "findings": "店内货架陈列纸扎别墅12套、纸扎轿车8个、冥币30捆，标价出售。",
            "read_back": True,
        },
    )
    s.attach(inspection, "av", clip)
    s.attach(inspection, "photo", s.photo("店内陈列的封建迷信殡葬用品", shop))
    s.attach(inspection, "signed_scan")
    begun = _now()
    clip = s.video("抽样取证全过程", shop)
    sampling = s.record(
        "sampling_notice",
        {
            **fields_party,
            "place": shop,
            "started_at": begun,
            "ended_at": _now(),
            "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
            "method": "从在售商品中随机抽取纸扎别墅、纸扎轿车、冥币各一件（捆）",
            "handling": "样品当场封存，存放于陵川县民政局证据保管室",
            "av_notified": True,
        },
    )
    s.attach(sampling, "av", clip)
    s.attach(sampling, "photo", s.photo("样品及封样", shop))
    items = s.record(
        "item_list",
        {
            "source": sampling.pk,
            "made_at": _now(),
            "items": ["纸扎别墅 1套 完好", "纸扎轿车 1个 完好", "冥币 1捆 完好"],
        },
        by=s.li,
    )
    s.attach(items, "photo", s.photo("物品清单所列样品", shop))

    # 询问 (recorded on audio).
    begun = _now()
    tape = s.audio("询问钱某录音", office)
    interview = s.record(
        "interview_record",
        {
            "started_at": begun,
            "ended_at": _now(),
            "place": office,
            "interviewee": {
                "name": "钱某",
                "id_number": "140524197806153016",
                "phone": "13903561234",
                "address": "山西省晋城市陵川县崇文镇东街56号",
            },
            "interviewee_role": "party",
            **fields_party,
            "recorder": s.li.pk,
            "rights_told": True,
            "content": "问：店内的纸扎别墅、冥币从何处进货，售出多少？\n"
            "答：从外地批发，今年以来售出约8600元。\n问：是否知道这些物品禁止销售？\n"
            "答：不太清楚，以后不卖了。",
            "read_back": True,
        },
    )
    s.attach(interview, "av", tape)
    s.attach(interview, "signed_scan")

    # 调取证据: notice, its receipt, the register and the 7-day handling (第十二条、第十四条).
    request = s.record(
        "evidence_request_notice",
        {
            "issued_at": _now(),
            "addressee": {"name": "钱某（钱某殡葬用品店经营者）"},
            "items": ["今年以来进货单据（复制件）", "销售台账（原件）"],
            "legal_basis": "《中华人民共和国行政处罚法》第五十五条",
            "due_date": _today(),
            "place": "陵川县民政局社会事务股，当面提交",
            "contact": "张承办 0356-6202001",
        },
    )
    s.attach(request, "signed_scan")
    _investigation_receipt(s, request, shop)
    register = s.record(
        "evidence_register",
        {
            "made_at": _now(),
            "place": office,
            "holder": {"name": "钱某"},
            **fields_party,
            "items": ["销售台账 1册 共24页", "进货单据复制件 9张"],
            "storage_method": "removed",
            "storage_place": "陵川县民政局证据保管室",
            "approved_by": s.p["zhao"].pk,
            "approved_at": _now(),
            "request_notice": request.pk,
            "holder_told": True,
        },
    )
    s.attach(register, "photo", s.photo("登记保存的销售台账", office))
    s.attach(register, "signed_scan")
    s.record(
        "evidence_hold_handling_decision",
        {
            "register": register.pk,
            "decided_at": _now(),
            "handling": "return",
            "details": "销售台账已复制并经当事人签字确认，原件解除登记保存并退还。",
            "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
        },
    )

    # 权利告知, 陈述申辩, 听证 (行政处罚法第四十四、四十五、六十三、六十四条).
    facts = (
        "当事人自今年1月起在其店内销售纸扎别墅、纸扎轿车、冥币等封建迷信殡葬用品，销售金额8600元。"
    )
    basis = FUNERAL_RULES
    rights = s.record(
        "rights_notice",
        {
            "issued_at": _now(),
            **fields_party,
            "facts": facts,
            "reasons": "制造、销售封建迷信殡葬用品属《殡葬管理条例》禁止的行为。",
            "legal_basis": basis,
            "proposed": "没收封建迷信殡葬用品，并处销售金额一倍罚款人民币8600元。",
            "rights": ["陈述权", "申辩权", "要求听证的权利"],
            "hearing_available": True,
            "statement_deadline": _today(),
            "hearing_request_deadline": _today(),
        },
    )
    s.attach(rights, "signed_scan")
    _investigation_receipt(s, rights, shop)
    statement = s.record(
        "statement_record",
        {
            "rights_notice": rights.pk,
            "started_at": _now(),
            "place": office,
            **fields_party,
            "speaker": {"name": "钱某"},
            "mode": "oral",
            "facts": "初次经营，不清楚相关规定，已主动下架全部商品。",
            "reasons": "请求从轻处罚，并要求举行听证。",
            "read_back": True,
        },
    )
    s.attach(statement, "signed_scan")
    hearing_notice = s.record(
        "hearing_notice",
        {
            "issued_at": _now(),
            **fields_party,
            "requested_on": _today(),
            "hearing_at": _now(),
            "place": "陵川县民政局听证室",
            "host": s.p["chen"].pk,
            "public": "public",
            "party_rights": "当事人可以申请主持人回避，可以委托一至二人代理，可以进行申辩和质证。",
        },
    )
    s.attach(hearing_notice, "signed_scan")
    _investigation_receipt(s, hearing_notice, shop)
    begun = _now()
    clip = s.video("听证全过程", "陵川县民政局听证室")
    hearing = s.record(
        "hearing_record",
        {
            "hearing_notice": hearing_notice.pk,
            "started_at": begun,
            "ended_at": _now(),
            "place": "陵川县民政局听证室",
            "host": s.p["chen"].pk,
            "recorder": s.p["liu"].pk,
            "public": "public",
            "participants": ["当事人钱某", "案件调查人员张承办、李承办"],
            "recusal": "当事人未申请回避。",
            "investigation_case": facts + "建议没收违法物品并处罚款8600元。",
            "party_case": "对违法事实无异议，认为罚款过重，请求从轻。",
            "debate": "双方就销售金额的认定进行质证，当事人认可销售台账记载的金额。",
            "final_statement": "已认识错误，保证不再销售。",
            "read_back": True,
        },
        sign={"host": "陈法制", "clerk": "刘档案"},
    )
    s.attach(hearing, "av", clip)
    s.attach(hearing, "signed_scan")
    s.record(
        "hearing_report",
        {
            "hearing_record": hearing.pk,
            "made_at": _now(),
            "host": s.p["chen"].pk,
            "summary": "听证公开举行，当事人到场，调查人员和当事人进行了陈述、质证和辩论。",
            "facts_found": facts,
            "opinion": "违法事实清楚，证据确凿；当事人主动下架，建议在法定幅度内按下限罚款。",
        },
        sign={"drafter": "陈法制"},
    )
    s.advance("decision", "调查终结，听证完毕")

    report = s.record(
        "investigation_final_report",
        {
            "made_at": _now(),
            "drafter": s.zhang.pk,
            **fields_party,
            "course": "经现场检查、抽样取证、询问、调取证据、听取陈述申辩并举行听证，调查终结。",
            "facts": facts,
            "evidence": [
                "现场检查笔录及音像记录",
                "抽查取样通知书及物品清单",
                "询问笔录",
                "销售台账",
            ],
            "legal_basis": basis,
            "proposal": "没收封建迷信殡葬用品，并处销售金额一倍罚款8600元。",
        },
    )
    form = s.record(
        "decision_approval_form",
        {
            "drafted_at": _now(),
            "drafter": s.zhang.pk,
            "drafting_unit": "社会事务股",
            "reviewer": s.p["wang"].pk,
            **fields_party,
            "report": report.pk,
            "facts": facts,
            "evidence": ["现场检查笔录", "物品清单", "询问笔录", "销售台账", "听证笔录及听证报告"],
            "legal_basis": basis,
            "considerations": "初次违法，主动下架，积极配合调查；听证中认可违法事实。按裁量基准取下限。",
            "proposal": "没收封建迷信殡葬用品；罚款人民币8600元。",
            "proposed_fine": "8600.00",
            "drafter_opinion": "事实清楚，证据确凿，程序合法，建议按上述意见处罚。",
            "reviewer_opinion": "同意承办人意见。",
        },
    )
    review = s.record(
        "legal_review_opinion",
        {
            "reviewed_at": _now(),
            "reviewers": [s.p["chen"].pk],
            "approval_form": form.pk,
            "conclusion": "agree",
            "opinion": "执法主体适格，程序合法，事实清楚，证据充分，适用依据正确，裁量适当。",
            "suggestions": "无",
        },
    )
    s.attach(review, "signed_scan")
    leader = s.record(
        "leader_approval",
        {
            "signed_at": _now(),
            "approver": s.p["zhao"].pk,
            "approval_form": form.pk,
            "result": "approve",
            "opinion": "同意。",
        },
    )
    decision = s.record(
        "administrative_decision",
        {
            "doc_no": s.doc_no,
            "decided_at": _now(),
            **fields_party,
            "approval": leader.pk,
            "facts": facts,
            "evidence": ["现场检查笔录及音像记录", "物品清单", "询问笔录", "销售台账", "听证笔录"],
            "legal_basis": basis,
            "reasons": "当事人销售封建迷信殡葬用品，违反《殡葬管理条例》；考虑其初次违法并主动整改，按下限处罚。",
            "decision": "一、没收封建迷信殡葬用品；二、罚款人民币8600元。",
            "penalty_amount": "8600.00",
            "performance_deadline": _today() + dt.timedelta(days=15),
            "performance_manner": "持缴款通知书至中国农业银行陵川县支行缴纳",
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(decision, "signed_scan")
    s.advance("service", "行政处罚决定已作出")

    mail = s.record(
        "mail_service_record",
        {
            "document": decision.pk,
            "recipient": {"name": "钱某"},
            "address": "山西省晋城市陵川县崇文镇东街56号",
            "registered": True,
            "tracking_no": "XA118605243CN",
            "posted_at": _now(),
            "registration": "邮寄送达登记簿第018号：行政处罚决定书一份，挂号寄送",
            "outcome": "delivered",
            "received_on": _today(),
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(mail, "posting_slip")  # 交寄凭证
    s.attach(mail, "return_card")  # 回执
    order = s.record(
        "correction_order",
        {
            "issued_at": _now(),
            **fields_party,
            "decision": decision.pk,
            "violation": "销售封建迷信殡葬用品。",
            "legal_basis": basis,
            "requirements": "立即停止销售封建迷信殡葬用品，清理库存。",
            "due_date": _today() + dt.timedelta(days=3),
        },
    )
    s.attach(order, "signed_scan")
    sent = _now()
    electronic = s.record(
        "electronic_service_record",
        {
            "document": order.pk,
            "recipient": {"name": "钱某"},
            "consent_on_file": True,
            "consent_on": _today(),
            "channel": "sms",
            "address": "13903561234",
            "sent_at": sent,
            "arrived_at": _now(),
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(electronic, "consent")  # 同意电子送达确认书
    s.attach(electronic, "delivery_proof")  # 发送及到达凭证
    clip = s.video("整改复查", shop)
    check = s.record(
        "correction_check_record",
        {
            "order": order.pk,
            "checked_at": _now(),
            "place": shop,
            "present_person": {"name": "钱某"},
            "findings": "店内已无封建迷信殡葬用品陈列和库存。",
            "result": "corrected",
        },
    )
    s.attach(check, "av", clip)
    s.attach(check, "photo", s.photo("整改后的货架", shop))
    performance = s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": _now(),
            "status": "full",
            "performed_on": _today(),
            "amount_paid": "8600.00",
            "payment_proof": "山西省非税收入一般缴款书 No.1405240012345",
            "details": "当事人已全额缴纳罚款，没收物品已登记入库待销毁。",
        },
    )
    s.attach(performance, "document")
    s.advance("closed", "罚款已全额缴纳，责令改正经复查已改正")
    return s.case


def _investigation_receipt(s: Story, document: Record, place: str) -> Record:
    receipt = s.record(
        "service_receipt",
        {
            "document": document.pk,
            "recipient": {"name": s.party.name if s.party else ""},
            "party": s.party.pk if s.party else None,
            "signer_relation": "self" if s.party and s.party.kind == "person" else "representative",
            "signer": None if s.party and s.party.kind == "person" else {"name": s.signer},
            "method": "direct",
            "place": place,
            "served_at": _now(),
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(receipt, "signed_scan")
    return receipt


# --- 3. 重大案件：公告送达、申请法院强制执行 ---------------------------------------------------------------


def major_court_enforcement(s: Story) -> Case:
    home = "山西省晋城市陵川县礼义镇北街3号福寿养老服务中心"
    board = "陵川县民政局公告栏"
    s.start(
        category="elderly",
        procedure="ordinary",
        is_major=True,
        party=PartyInput(
            kind="organisation",
            name="陵川县福寿养老服务中心",
            credit_code="52140524MJ0765432P",
            representative="吴某",
            phone="0356-6305678",
            address="山西省晋城市陵川县礼义镇北街3号",
        ),
        signer="吴某",
        reason="消防检查通报该中心安全出口堵塞、消防设施损坏、夜间无人值守，危及入住老年人安全",
        party_facts="陵川县福寿养老服务中心，民办非企业单位，法定代表人吴某，入住老年人41名",
        opinion="情节严重，拟处较大数额罚款，属重大行政执法行为，建议立案调查",
    )
    facts = (
        "当事人安全出口被杂物堵塞，2处消防栓损坏，夜间仅1名工作人员值守41名老年人，"
        "不符合GB 38600-2019《养老机构服务安全基本规范》的强制性要求，且经责令仍未改正。"
    )
    basis = f"{ELDERLY_RULES}第（三）项"

    begun = _now()
    clip = s.video("现场检查全过程", home)
    inspection = s.record(
        "inspection_record",
        {
            "kind": "inspection",
            "place": home,
            "started_at": begun,
            "ended_at": _now(),
            "party": s.party.pk,
            "present_person": {"name": "吴某（法定代表人）"},
            "witness": {"name": "礼义镇北街社区居委会委员郑某"},
            "av_notified": True,
            "findings": "一层安全出口堆放床垫杂物；2处室内消防栓无水；夜班排班表显示仅1人值守。",
            "read_back": True,
        },
        sign={"witness": "郑某"},
    )
    s.attach(inspection, "av", clip)
    s.attach(inspection, "photo", s.photo("被堵塞的安全出口", home))
    begun = _now()
    tape = s.audio("询问吴某录音", "陵川县民政局询问室")
    interview = s.record(
        "interview_record",
        {
            "started_at": begun,
            "ended_at": _now(),
            "place": "陵川县民政局询问室",
            "interviewee": {
                "name": "吴某（法定代表人）",
                "id_number": "140524198203120017",
                "phone": "13835600728",
                "address": "山西省晋城市陵川县礼义镇南街12号",
            },
            "interviewee_role": "agent",
            "party": s.party.pk,
            "recorder": s.li.pk,
            "rights_told": True,
            "content": "问：安全出口为何堆放杂物？\n答：库房不够用，临时堆放。\n"
            "问：夜间值守几人？\n答：一人。",
            "read_back": True,
        },
    )
    s.attach(interview, "av", tape)
    rights = s.record(
        "rights_notice",
        {
            "issued_at": _now(),
            "party": s.party.pk,
            "facts": facts,
            "reasons": "养老机构未按照有关强制性国家标准提供服务，情节严重。",
            "legal_basis": basis,
            "proposed": "罚款人民币30000元。",
            "rights": ["陈述权", "申辩权", "要求听证的权利"],
            "hearing_available": True,
            "statement_deadline": _today(),
            "hearing_request_deadline": _today(),
        },
    )
    s.attach(rights, "signed_scan")
    _investigation_receipt(s, rights, home)
    s.advance("decision", "调查终结；当事人未在期限内要求听证")

    report = s.record(
        "investigation_final_report",
        {
            "made_at": _now(),
            "drafter": s.zhang.pk,
            "party": s.party.pk,
            "course": "经现场检查、询问法定代表人、告知权利，当事人未陈述申辩、未要求听证。",
            "facts": facts,
            "evidence": ["现场检查笔录及音像记录", "现场照片", "询问笔录及录音", "排班表"],
            "legal_basis": basis,
            "proposal": "罚款人民币30000元。",
        },
    )
    form = s.record(
        "decision_approval_form",
        {
            "drafted_at": _now(),
            "drafter": s.zhang.pk,
            "drafting_unit": "社会事务股",
            "reviewer": s.p["wang"].pk,
            "party": s.party.pk,
            "report": report.pk,
            "facts": facts,
            "evidence": ["现场检查笔录及音像记录", "询问笔录", "排班表"],
            "legal_basis": basis,
            "considerations": "危及41名老年人人身安全，情节严重；经责令未改正。",
            "proposal": "罚款人民币30000元。",
            "proposed_fine": "30000.00",
            "drafter_opinion": "情节严重，建议顶格处罚。",
            "reviewer_opinion": "同意，提请法制审核和集体讨论。",
        },
    )
    review = s.record(
        "legal_review_opinion",
        {
            "reviewed_at": _now(),
            "reviewers": [s.p["chen"].pk],
            "approval_form": form.pk,
            "conclusion": "agree",
            "opinion": "执法主体适格，程序合法，事实清楚，证据充分，适用依据正确，裁量适当。",
            "suggestions": "无",
        },
    )
    s.attach(review, "signed_scan")
    begun = _now()
    clip = s.video("集体讨论全过程", "陵川县民政局会议室")
    discussion = s.record(
        "collective_discussion_record",
        {
            "held_at": begun,
            "place": "陵川县民政局会议室",
            "form": "record",
            "host": s.p["zhao"].pk,
            "attendees": [s.p["zhao"].pk, s.p["wang"].pk, s.p["chen"].pk, s.zhang.pk],
            "recorder": s.p["liu"].pk,
            "approval_form": form.pk,
            "presentation": "承办人张承办汇报案情及处罚建议（罚款30000元）。",
            "discussion": "王审核：同意。\n陈法制：法制审核同意。\n赵局长：同意，按程序作出决定。",
            "conclusion": "一致同意对当事人罚款人民币30000元。",
        },
        sign={"officers": "赵局长、王审核、陈法制、张承办", "drafter": "刘档案"},
    )
    s.attach(discussion, "av", clip)
    s.attach(discussion, "signed_scan")
    leader = s.record(
        "leader_approval",
        {
            "signed_at": _now(),
            "approver": s.p["zhao"].pk,
            "approval_form": form.pk,
            "result": "approve",
            "opinion": "经集体讨论决定，同意。",
        },
    )
    decision = s.record(
        "administrative_decision",
        {
            "doc_no": s.doc_no,
            "decided_at": _now(),
            "party": s.party.pk,
            "approval": leader.pk,
            "facts": facts,
            "evidence": ["现场检查笔录及音像记录", "询问笔录", "排班表", "集体讨论记录"],
            "legal_basis": basis,
            "reasons": "违法行为危及入住老年人人身安全，情节严重，经集体讨论决定。",
            "decision": "罚款人民币30000元。",
            "penalty_amount": "30000.00",
            "performance_deadline": _today() + dt.timedelta(days=15),
            "performance_manner": "至中国农业银行陵川县支行缴纳",
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(decision, "signed_scan")
    s.advance("service", "重大行政处罚决定经法制审核、集体讨论后作出")

    servers = [s.zhang.pk, s.li.pk]
    mail = s.record(
        "mail_service_record",
        {
            "document": decision.pk,
            "recipient": {"name": "陵川县福寿养老服务中心"},
            "address": "山西省晋城市陵川县礼义镇北街3号",
            "registered": True,
            "tracking_no": "XA118605257CN",
            "posted_at": _now(),
            "registration": "邮寄送达登记簿第021号：行政处罚决定书一份，挂号寄送",
            "outcome": "returned",
            "return_reason": "原址已停业搬离，查无此单位",
            "server": servers,
        },
    )
    s.attach(mail, "posting_slip")  # 交寄凭证
    s.attach(mail, "return_card")  # 退回的邮件
    clip = s.video("张贴公告全过程", board)
    notice = s.record(
        "public_notice_service_record",
        {
            "document": decision.pk,
            "recipient": {"name": "陵川县福寿养老服务中心"},
            "attempts": "一、执法人员到当事人住所直接送达，已停业无人，法定代表人电话无法接通；"
            "二、挂号邮寄（XA118605257CN）被退回，退回原因：查无此单位。",
            "earlier_attempts": [mail.pk],
            "reasons": "受送达人下落不明，以其他方式无法送达。",
            "carrier": "board",
            "carrier_detail": "陵川县民政局公告栏及当事人原住所门口",
            "notice_text": f"陵川县福寿养老服务中心：本局已对你单位作出{s.doc_no}行政处罚决定，"
            "自公告之日起经过三十日即视为送达。",
            "published_at": _now(),
            "course": "两名执法人员张贴公告并全程录像、拍照，公告留存件归档。",
            "server": servers,
        },
    )
    s.attach(notice, "notice_copy")
    s.attach(notice, "av", clip)
    s.attach(notice, "photo", s.photo("张贴的公告", board))
    s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": _now(),
            "status": "none",
            "details": "公告期满视为送达，履行期限届满，当事人未缴纳罚款。",
        },
    )

    # 催告 (行政强制法第三十五条), left at the residence when refused (第二十四条).
    demand = s.record(
        "demand_notice",
        {
            "issued_at": _now(),
            "party": s.party.pk,
            "decision": decision.pk,
            "nonperformance": "当事人逾期未缴纳罚款30000元。",
            "deadline": _today() + dt.timedelta(days=10),
            "manner": "至中国农业银行陵川县支行缴纳罚款",
            "amount": "30000.00",
            "payment_method": "银行缴款",
            "rights": "当事人有权在收到本催告书之日起三日内进行陈述和申辩。",
            "legal_basis": "《中华人民共和国行政强制法》第三十五条、第五十四条",
        },
    )
    s.attach(demand, "signed_scan")
    residence = "山西省晋城市陵川县礼义镇南街12号（吴某住所）"
    refusal = "吴某称罚款过重，拒绝签收"
    clip = s.video("留置送达全过程", residence)
    served = _now()
    receipt = s.record(
        "service_receipt",
        {
            "document": demand.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "party": s.party.pk,
            "signer_relation": "none",
            "method": "left",
            "place": residence,
            "served_at": served,
            "refusal_reason": refusal,
            "refusal_date": _today(),
            "server": servers,
        },
        refuse={"recipient": ("吴某", refusal)},
    )
    left = s.record(
        "left_service_record",
        {
            "document": demand.pk,
            "receipt": receipt.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "residence": residence,
            "refusal_reason": refusal,
            "refusal_date": _today(),
            "served_at": served,
            "left_at_residence": True,
            "witness": {"name": "礼义镇南街社区居委会委员郑某"},
            "server": servers,
        },
        sign={"witness": "郑某"},
    )
    s.attach(left, "av", clip)
    s.attach(left, "photo", s.photo("留置于住所的催告书", residence))

    # 陈述申辩 and its review, served by fax with the party's consent (第二十六条).
    statement = s.record(
        "demand_statement_record",
        {
            "demand_notice": demand.pk,
            "made_at": _now(),
            "party": s.party.pk,
            "speaker": {"name": "吴某（法定代表人）"},
            "mode": "written",
            "facts": "中心已停业，无力缴纳罚款。",
            "reasons": "请求减免罚款；同意以传真方式接收复核意见（传真0356-6305679）。",
            "evidence": ["停业说明一份", "同意传真送达确认书"],
        },
    )
    s.attach(statement, "document")
    statement_review = s.record(
        "statement_review_opinion",
        {
            "statement": statement.pk,
            "reviewed_at": _now(),
            "reviewers": [s.p["chen"].pk, s.p["wang"].pk],
            "facts_review": "停业不影响已发生违法行为的法律责任。",
            "reasons_review": "无力缴纳不属于法定减免情形，可依法申请延期或分期缴纳。",
            "evidence_review": "停业说明属实，但与减免无关。",
            "conclusion": "rejected",
            "handling": "维持原处罚决定，依法加处罚款并申请人民法院强制执行。",
        },
        sign={"drafter": "陈法制"},
    )
    s.attach(statement_review, "signed_scan")
    fax = s.record(
        "fax_service_record",
        {
            "document": statement_review.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "consent_on_file": True,
            "consent_on": _today(),
            "fax_number": "0356-6305679",
            "pages": 2,
            "sent_at": _now(),
            "arrived_at": _now(),
            "confirmation": "电话确认吴某本人收到",
            "server": servers,
        },
    )
    s.attach(fax, "consent")  # 同意传真送达确认书
    s.attach(fax, "transmission_report")  # 传真发送报告

    # 强制执行决定 (加处罚款, 行政强制法第四十五条), served through the bureau where 吴某 now lives.
    enforcement = s.record(
        "enforcement_decision",
        {
            "doc_no": f"陵民强决〔{s.case.number_year}〕{s.case.number_seq}号",
            "decided_at": _now(),
            "party": s.party.pk,
            "demand_notice": demand.pk,
            "decision": decision.pk,
            "reasons": "当事人经催告逾期仍不履行，陈述申辩理由经复核不成立。",
            "legal_basis": "《中华人民共和国行政强制法》第三十七条、第四十五条",
            "manner": "每日按罚款数额的百分之三加处罚款，加处罚款数额不超过罚款本数；"
            "并依法申请人民法院强制执行。",
            "execution_on": _today(),
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(enforcement, "signed_scan")
    entrusted_at = _now()
    entrusted_receipt = s.record(
        "service_receipt",
        {
            "document": enforcement.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "party": s.party.pk,
            "signer": {"name": "吴某"},
            "signer_relation": "representative",
            "method": "entrusted",
            "place": "高平市民政局",
            "served_at": _now(),
            "outside_server": {"name": "冯某（高平市民政局工作人员）"},
        },
        sign={"server": "冯某（高平市民政局）"},
    )
    s.attach(entrusted_receipt, "signed_scan")
    entrusted = s.record(
        "entrusted_service_record",
        {
            "document": enforcement.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "entrusted_body": "高平市民政局",
            "entrusted_at": entrusted_at,
            "receipt": entrusted_receipt.pk,
            "served_at": _now(),
            "course": "吴某现居高平市，委托高平市民政局送达，吴某本人签收，送达回证已寄回。",
            "server": servers,
        },
    )
    s.attach(entrusted, "entrustment_letter")  # 委托送达函
    # A copy to the centre's former legal representative, now serving a sentence: 转交送达
    # through the prison (第二十六条).
    transferred_at = _now()
    transfer_receipt = s.record(
        "service_receipt",
        {
            "document": enforcement.pk,
            "recipient": {"name": "郑某（原法定代表人）"},
            "party": s.party.pk,
            "signer": {"name": "郑某"},
            "signer_relation": "self",
            "method": "transfer",
            "place": "山西省晋城监狱",
            "served_at": _now(),
            "outside_server": {"name": "狱警刘某（山西省晋城监狱）"},
        },
        sign={"server": "狱警刘某（山西省晋城监狱）"},
    )
    s.attach(transfer_receipt, "signed_scan")
    transfer = s.record(
        "transfer_service_record",
        {
            "document": enforcement.pk,
            "recipient": {"name": "郑某（原法定代表人）"},
            "ground": "custody",
            "transfer_body": "山西省晋城监狱",
            "transferred_at": transferred_at,
            "receipt": transfer_receipt.pk,
            "served_at": _now(),
            "course": "郑某正在服刑，经监狱转交送达，郑某本人签收，监狱将送达回证寄回。",
            "server": servers,
        },
    )
    s.attach(transfer, "transfer_letter")  # 转交函

    # 申请人民法院强制执行 (第二十九条), kept as successive versions of one record.
    court = s.record(
        "court_enforcement_record",
        {
            "recorded_at": _now(),
            "decision": decision.pk,
            "demand_notice": demand.pk,
            "nonperformance": "经催告逾期仍未缴纳罚款及加处罚款，陈述申辩理由经复核不成立。",
            "approved_by": s.p["zhao"].pk,
            "applied_on": _today(),
            "court": COURT,
            "documents": [
                "强制执行申请书",
                "行政处罚决定书及作出决定的事实、理由和依据",
                "当事人的意见及催告情况",
                "申请强制执行标的情况",
            ],
            "acceptance": "pending",
            "ruling": "pending",
        },
    )
    s.attach(court, "document")
    s.attach(court, "signed_scan")
    year = s.case.number_year
    court = record_correct(
        record=court,
        officer=s.zhang,
        fields={
            "recorded_at": _now(),
            "acceptance": "accepted",
            "accepted_on": _today(),
            "ruling": "enforce",
            "ruled_on": _today(),
            "ruling_no": f"（{year}）晋0524行审{s.case.number_seq}号",
            "execution_result": "人民法院裁定准予执行，已从被执行人账户划扣罚款30000元及"
            "加处罚款30000元，执行完毕。",
        },
        reason="法院受理并裁定准予执行，补记执行结果",
        signatures=s.signatures("court_enforcement_record"),
    )
    s.attach(court, "document")  # 受理通知书、裁定书
    s.attach(court, "signed_scan")  # 签批页
    performance = s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": _now(),
            "status": "full",
            "performed_on": _today(),
            "amount_paid": "60000.00",
            "payment_proof": f"（{year}）晋0524执{s.case.number_seq}号结案通知书",
            "details": "经人民法院强制执行，罚款及加处罚款已全部缴入国库。",
        },
    )
    s.attach(performance, "document")
    s.attach(performance, "photo", s.photo("法院执行结案通知书", "陵川县民政局"))
    s.advance("closed", "经人民法院强制执行完毕")
    return s.case


STORIES: list[tuple[str, Callable[[Story], Case]]] = [
    (SUMMARY_TITLE, summary_warning),
    (ORDINARY_TITLE, ordinary_fine),
    (MAJOR_TITLE, major_court_enforcement),
]


# --- loading ----------------------------------------------------------------------------------------


def _device(personas: dict[str, Officer]) -> Device | None:
    """The body camera the handlers record with, registered once by the administrator."""
    from casetrail.evidence.actions import device_register

    zhang = personas["zhang"]
    device = Device.objects.filter(agency_id=zhang.agency_id, serial=DEVICE_SERIAL).first()
    if device is None and "admin" in personas:
        device = device_register(
            officer=personas["admin"],
            serial=DEVICE_SERIAL,
            model="执法记录仪（演示）",
            assigned_to=zhang,
        )
    return device


def load_demo_cases(personas: dict[str, Officer] | None = None) -> list[DemoCase]:
    """Add the three demo cases that are missing (by title); return all three."""
    from casetrail.demo.personas import load_demo

    personas = personas or load_demo()
    agency_id = personas["zhang"].agency_id
    device = None
    out = []
    for title, build in STORIES:
        case = Case.objects.filter(agency_id=agency_id, title=title).order_by("id").first()
        created = case is None
        if case is None:
            device = device or _device(personas)
            case = build(Story(personas, device, title))
        out.append(DemoCase(title, case.number, case.stage, created))
    return out


def summary(cases: list[DemoCase]) -> str:
    added = sum(c.created for c in cases)
    listed = "；".join(f"{c.number} {c.title}（{Stage(c.stage).label}）" for c in cases)
    return f"演示案件：新增 {added} 件，共 {len(cases)} 件：{listed}"
