"""四性检测 (DA/T 70-2018) of a 案卷 version: 真实性, 完整性, 可用性, 安全性 — each check a small
function yielding one result per object it concerns (pass or fail, and why in zh-Hans). Any failure
blocks archiving and names what to fix.

The checks read the stored bytes (streamed; a media file is never held in memory), the ledger and
the rows of the file; they write nothing themselves (``actions.archive_check`` stores the report).
"""

from __future__ import annotations

import base64
import contextlib
import io
import socket
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from casetrail.archive.models import Aspect, CaseFile, FileItem, ItemKind
from casetrail.archive.pdfa import problems
from casetrail.archive.policy import REQUIRED_KINDS, policy_of
from casetrail.archive.render import open_blob_pdf
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.fixity import blob_findings
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry
from casetrail.ledger.nodes import node_getter
from casetrail.ledger.selectors import latest_checkpoint, ledger_index_for, row_key
from casetrail.lib import merkle
from casetrail.lib.outside import require_no_transaction
from casetrail.records.catalogue import doc_type


@dataclass(frozen=True)
class Result:
    aspect: str
    code: str
    title: str
    target: str
    passed: bool
    detail: str = ""


@dataclass
class Context:
    case_file: CaseFile
    items: list[FileItem]

    @property
    def documents(self) -> list[FileItem]:
        return [i for i in self.items if i.kind != ItemKind.MEDIA]

    @property
    def media(self) -> list[FileItem]:
        return [i for i in self.items if i.kind == ItemKind.MEDIA]


Check = Callable[[Context], Iterator[Result]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def target_of(i: FileItem) -> str:
    return f"{i.seq}. {i.title}" + (f"（{i.doc_no}）" if i.doc_no else "")


@contextlib.contextmanager
def local_path(blob: Blob) -> Iterator[Path]:
    """A path to the blob's bytes for a library that wants a file (PyAV): the stored file itself,
    or (object storage) a temporary copy streamed to disk. Refused inside a transaction on both
    backends (``BlobStore.reading``)."""
    store = blob_store()
    store.reading(f"blob {blob.sha256[:12]}…")
    if store.is_file:
        yield store.path(blob.sha256)
        return
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        for block in store.iter_bytes(blob.sha256):
            tmp.write(block)
        tmp.flush()
        yield Path(tmp.name)


# --- 真实性 -----------------------------------------------------------------------------------


@check
def digests_match_store(ctx: Context) -> Iterator[Result]:
    """Every document's and media item's bytes re-hashed (SHA-256 and SM3) against the record."""
    store = blob_store()
    for i in ctx.items:
        found = list(blob_findings(i.blob, store=store))
        yield Result(
            Aspect.AUTHENTICITY,
            "digest",
            "文件摘要与存储一致",
            target_of(i),
            not found,
            "；".join(found),
        )


@check
def digests_in_ledger(ctx: Context) -> Iterator[Result]:
    """Each file's digests are those the ledger recorded when it entered the case."""
    case = ctx.case_file.case
    index = ledger_index_for(agency_id=case.agency_id, case_id=case.pk)
    entries: dict[int, str] = {}
    for i in ctx.items:
        if i.document_id is not None:
            key = row_key("documents.IssuedDocument", i.document_id)
        elif i.item_id is not None:
            key = row_key("evidence.Item", i.item_id)
        else:
            key = row_key("archive.FileItem", i.pk)
        seq = index.get(key)
        if seq is None:
            yield Result(
                Aspect.AUTHENTICITY,
                "ledger_digest",
                "摘要与账本记录一致",
                target_of(i),
                False,
                "账本中没有该文件的记录",
            )
            continue
        if seq not in entries:
            entries[seq] = (
                LedgerEntry.objects.filter(ledger__agency_id=case.agency_id, seq=seq)
                .values_list("canonical", flat=True)
                .get()
            )
        ok = i.blob.sha256 in entries[seq] and i.blob.sm3 in entries[seq]
        yield Result(
            Aspect.AUTHENTICITY,
            "ledger_digest",
            "摘要与账本记录一致",
            target_of(i),
            ok,
            "" if ok else f"账本第 {seq} 条记载的摘要与文件不符",
        )


@check
def seals_valid(ctx: Context) -> Iterator[Result]:
    """Every issued PDF's electronic seal (PAdES) is intact and the agency's."""
    from casetrail.documents.verification import _seal_findings

    for i in ctx.documents:
        if i.document_id is None:
            continue
        document = IssuedDocument.objects.select_related("agency").get(pk=i.document_id)
        data = b"".join(blob_store().iter_bytes(i.blob.sha256))
        found = _seal_findings(data, document)
        yield Result(
            Aspect.AUTHENTICITY, "seal", "电子印章有效", target_of(i), not found, "；".join(found)
        )


def _checkpoint_root_matches(checkpoint: Checkpoint) -> bool:
    """The signed note states the root the row holds (origin, size, base64 root, …)."""
    lines = checkpoint.note.splitlines()
    return len(lines) >= 3 and base64.b64decode(lines[2]) == bytes(checkpoint.root)


@check
def ledger_inclusion(ctx: Context) -> Iterator[Result]:
    """Every ledger entry of the case is included in the log under a signed checkpoint (RFC 9162
    inclusion proof against the checkpoint's root)."""
    case = ctx.case_file.case
    ledger = Ledger.objects.get(agency_id=case.agency_id)
    checkpoint = latest_checkpoint(ledger)
    entries = list(
        LedgerEntry.objects.filter(ledger=ledger, case_ref=case.pk)
        .order_by("seq")
        .values_list("seq", "canonical")
    )
    target = f"本案账本条目 {len(entries)} 条"
    if checkpoint is None or not _checkpoint_root_matches(checkpoint):
        yield Result(
            Aspect.AUTHENTICITY, "inclusion", "账本包含证明", target, False, "没有有效的签名检查点"
        )
        return
    get = node_getter(ledger)
    bad = []
    for seq, canonical in entries:
        index = seq  # seqs count from 0: the leaf index
        if index >= checkpoint.size:
            bad.append(f"第 {seq} 条不在检查点（大小 {checkpoint.size}）之内")
            continue
        leaf = merkle.leaf_hash(ledger.hash_name, canonical.encode("utf-8"))
        proof = merkle.inclusion_proof_from_store(ledger.hash_name, get, index, checkpoint.size)
        try:
            merkle.verify_inclusion(
                ledger.hash_name, index, checkpoint.size, leaf, proof, bytes(checkpoint.root)
            )
        except merkle.ProofError as exc:
            bad.append(f"第 {seq} 条：{exc}")
    yield Result(
        Aspect.AUTHENTICITY, "inclusion", "账本包含证明", target, not bad, "；".join(bad[:5])
    )


@check
def metadata_matches_content(ctx: Context) -> Iterator[Result]:
    """Page counts of each PDF, duration and size of each media item, as recorded."""
    for i in ctx.documents:
        try:
            with open_blob_pdf(i.blob.sha256) as pdf:
                pages = len(pdf.pages)
        except Exception:  # an unreadable PDF fails 可用性 too; here its metadata cannot match
            pages = -1
        ok = pages == i.pages
        yield Result(
            Aspect.AUTHENTICITY,
            "metadata",
            "元数据与内容一致",
            target_of(i),
            ok,
            "" if ok else f"页数不符：著录 {i.pages} 页，文件 {pages} 页",
        )
    for i in ctx.media:
        from casetrail.evidence.media import probe

        item = i.item
        assert item is not None
        with local_path(i.blob) as path:
            info = probe(path)
        recorded, actual = (item.media or {}).get("duration_ms"), info.get("duration_ms")
        ok = i.blob.size == blob_store().size(i.blob.sha256) and (
            recorded is None or (actual is not None and abs(actual - recorded) <= 1000)
        )
        yield Result(
            Aspect.AUTHENTICITY,
            "metadata",
            "元数据与内容一致",
            target_of(i),
            ok,
            "" if ok else f"时长或大小不符：著录 {recorded} 毫秒，文件 {actual} 毫秒",
        )


# --- 完整性 -----------------------------------------------------------------------------------


@check
def required_documents_present(ctx: Context) -> Iterator[Result]:
    """Every document the case must hold (REQUIRED_KINDS) is in the file as its issued PDF."""
    case = ctx.case_file.case
    held = {i.document.record_id for i in ctx.documents if i.document is not None}
    for record in case.records.filter(kind__in=REQUIRED_KINDS, replaced_by__isnull=True):
        title = doc_type(record.kind).title
        ok = record.pk in held
        yield Result(
            Aspect.INTEGRITY,
            "required",
            "应归档文件齐全",
            f"{title}（记录 {record.pk}）",
            ok,
            "" if ok else f"{title}尚未签发为文书或未列入案卷，请先签发后重新立卷",
        )


@check
def sequence_continuous(ctx: Context) -> Iterator[Result]:
    """序号 1..n without gaps; 页号 continuous from 1 and adding up to the file's 页数."""
    seqs = [i.seq for i in ctx.items]
    ok = seqs == list(range(1, len(seqs) + 1))
    yield Result(
        Aspect.INTEGRITY, "sequence", "序号连续", "卷内目录", ok, "" if ok else f"序号为 {seqs}"
    )
    page, bad = 1, []
    for i in ctx.documents:
        if i.start_page != page:
            bad.append(f"{i.seq} 号起始页应为 {page}，著录为 {i.start_page}")
        page = (i.start_page or page) + i.pages
    if page - 1 != ctx.case_file.pages:
        bad.append(f"页数合计 {page - 1}，案卷著录 {ctx.case_file.pages}")
    yield Result(Aspect.INTEGRITY, "pages", "页号连续", "卷内目录", not bad, "；".join(bad))


@check
def metadata_filled(ctx: Context) -> Iterator[Result]:
    """Every mandatory 著录 item filled (the cover's, each entry's, each media item's)."""
    f = ctx.case_file
    cover = {
        "档号": f.archive_code,
        "案卷题名": f.title,
        "全宗名称": f.fonds_name,
        "保管期限": f.retention,
        "年度": f.year,
    }
    missing = [k for k, v in cover.items() if not v]
    yield Result(
        Aspect.INTEGRITY,
        "metadata_filled",
        "著录项完整",
        "案卷封面",
        not missing,
        "" if not missing else "未填：" + "、".join(missing),
    )
    for i in ctx.items:
        need = {"题名": i.title, "责任者": i.responsible, "日期": i.date}
        if i.kind == ItemKind.MEDIA and i.item is not None:
            need |= {"记录人": i.item.officer_id, "记录结束时间": i.item.recorded_end}
        missing = [k for k, v in need.items() if not v]
        yield Result(
            Aspect.INTEGRITY,
            "metadata_filled",
            "著录项完整",
            target_of(i),
            not missing,
            "" if not missing else "未填：" + "、".join(missing),
        )


# --- 可用性 -----------------------------------------------------------------------------------


@check
def pdfs_readable(ctx: Context) -> Iterator[Result]:
    """Every PDF parses and is PDF/A-2b in substance (``archive.pdfa``: output intent with its
    ICC profile, every font embedded, XMP identification 2B, no encryption, no JavaScript) — the
    案卷 PDF too."""
    targets = [(target_of(i), i.blob.sha256) for i in ctx.documents]
    if ctx.case_file.pdf_id is not None:
        targets.append(("案卷 PDF", ctx.case_file.pdf.sha256))  # type: ignore[union-attr]
    for name, sha in targets:
        try:
            with open_blob_pdf(sha) as pdf:
                found = problems(pdf)
                ok, detail = not found, "；".join(found)
        except Exception as exc:
            ok, detail = False, f"无法解析 PDF（{type(exc).__name__}）"
        yield Result(Aspect.USABILITY, "pdf", "PDF 可读且为 PDF/A", name, ok, detail)


def decodes(path: Path) -> str:
    """ "" when the first and the last frame decode (PyAV), else why not."""
    import av

    try:
        with av.open(str(path)) as container:
            streams = container.streams.video or container.streams.audio
            if not streams:
                return "文件中没有音视频流"
            stream = streams[0]
            first = next(iter(container.decode(stream)), None)
            if first is None:
                return "无法解码第一帧"
            if container.duration:
                container.seek(max(container.duration - 1_000_000, 0), any_frame=False)
                last = None
                for last in container.decode(stream):  # noqa: B007 - the last one is kept
                    pass
                if last is None:
                    return "无法解码最后一帧"
    except (av.FFmpegError, OSError, ValueError) as exc:
        return f"无法解码（{type(exc).__name__}）"
    return ""


@check
def media_decode(ctx: Context) -> Iterator[Result]:
    """Every audio/video file decodes from its first to its last frame; photos open."""
    for i in ctx.media:
        with local_path(i.blob) as path:
            if i.blob.media_type.startswith("image/"):
                from PIL import Image

                try:
                    with Image.open(path) as image:
                        image.verify()
                    why = ""
                except Exception as exc:
                    why = f"无法打开图像（{type(exc).__name__}）"
            else:
                why = decodes(path)
        yield Result(Aspect.USABILITY, "decode", "音像文件可解码", target_of(i), not why, why)


@check
def formats_allowed(ctx: Context) -> Iterator[Result]:
    """Every file is in a format the agency's archive accepts."""
    allowed = policy_of(ctx.case_file.agency).formats
    for i in ctx.items:
        ok = i.blob.media_type in allowed
        yield Result(
            Aspect.USABILITY,
            "format",
            "文件格式符合归档要求",
            target_of(i),
            ok,
            "" if ok else f"格式 {i.blob.media_type} 不在本机关可归档格式之内",
        )


# --- 安全性 -----------------------------------------------------------------------------------


@check
def no_file_outside(ctx: Context) -> Iterator[Result]:
    """Every file of the 案卷 is this case's own (its documents, its media, the custodian's
    recorded 附件) and listed once: nothing outside the file's list."""
    case_id = ctx.case_file.case_id
    seen: set[str] = set()
    for i in ctx.items:
        if i.document is not None:
            ok = i.document.case_id == case_id
        elif i.item is not None:
            link = getattr(i.item, "link", None)
            ok = link is not None and link.case_id == case_id
        else:
            ok = i.kind == ItemKind.ATTACHMENT and bool(i.reason)
        duplicate = i.blob.sha256 in seen
        seen.add(i.blob.sha256)
        detail = "" if ok else "不是本案的文件"
        if duplicate:
            detail = "同一文件重复列入"
        yield Result(
            Aspect.SECURITY, "manifest", "无清单外文件", target_of(i), ok and not duplicate, detail
        )


def clamd_scan(blob: Blob, address: str) -> str:
    """The clamd verdict on the blob's bytes (INSTREAM, streamed in chunks): "" when clean,
    else the signature found or the error."""
    require_no_transaction("the clamd scan")
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(address)
    else:
        host, _, port = address.rpartition(":")
        sock = socket.create_connection((host, int(port)), timeout=60)
    with sock:
        sock.sendall(b"zINSTREAM\0")
        for block in blob_store().iter_bytes(blob.sha256, chunk=1 << 20):
            sock.sendall(struct.pack("!I", len(block)) + block)
        sock.sendall(struct.pack("!I", 0))
        answer = io.BytesIO()
        while chunk := sock.recv(4096):
            answer.write(chunk)
            if b"\0" in chunk:
                break
    text = answer.getvalue().rstrip(b"\0").decode("utf-8", "replace")
    return "" if text.endswith("OK") and "FOUND" not in text else text


@check
def malware_scan(ctx: Context) -> Iterator[Result]:
    """Each file scanned with ClamAV when ``CASETRAIL_CLAMD`` names a clamd socket."""
    address = getattr(settings, "CASETRAIL_CLAMD", "")
    if not address:
        yield Result(
            Aspect.SECURITY,
            "malware",
            "病毒检测",
            "全部文件",
            True,
            "未配置 ClamAV（CASETRAIL_CLAMD），未进行病毒扫描",
        )
        return
    for i in ctx.items:
        try:
            found = clamd_scan(i.blob, address)
        except OSError as exc:
            found = f"无法连接 clamd（{exc}）"
        yield Result(Aspect.SECURITY, "malware", "病毒检测", target_of(i), not found, found)


@check
def steps_ledgered(ctx: Context) -> Iterator[Result]:
    """The archiving steps are in the ledger: the 结案 and this 案卷 version with its entries."""
    case = ctx.case_file.case
    index = ledger_index_for(agency_id=case.agency_id, case_id=case.pk)
    keys = [row_key("archive.CaseFile", ctx.case_file.pk)] + [
        row_key("archive.FileItem", i.pk) for i in ctx.items
    ]
    missing = [k for k in keys if k not in index]
    closed = any(k.startswith("cases.StageChange:") for k in index)
    bad = (["结案未记入账本"] if not closed else []) + [f"{k} 未记入账本" for k in missing]
    yield Result(
        Aspect.SECURITY, "ledgered", "归档过程记入账本", "立卷、结案", not bad, "；".join(bad[:5])
    )


def run_checks(case_file: CaseFile) -> list[Result]:
    items = list(
        case_file.items.select_related(
            "blob", "document", "document__record", "item", "item__officer", "item__link"
        ).order_by("seq")
    )
    ctx = Context(case_file, items)
    return [r for fn in CHECKS for r in fn(ctx)]
