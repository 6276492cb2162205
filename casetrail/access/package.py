"""The copy package (第三十二条): a BagIt bag (RFC 8493) per recipient that a court or a party
checks offline with ``casetrail-verify``.

Layout of the bag::

    README.html               in Chinese: what this is, how to check it (a tag file)
    bagit.txt  bag-info.txt   BagIt
    manifest-sha256.txt  manifest-sm3.txt  tagmanifest-sha256.txt
    data/items/NN-….pdf|jpg|mp4   the approved items: originals or their redactions, PDFs and
                                  photos watermarked for this recipient
    data/调用单.pdf            the 调用单 with the 局长's decision per item
    data/copy.json            what each file is: its original's ledger entry and digests, the
                              redaction (entry, method, regions, reason, approver), the delivered
                              file's digests; the items withheld and why
    data/ledger/              the ledger extract (casetrail.ledger.extract): signed checkpoint,
                              verifier keys, each entry's bytes and its C2SP tlog-proof — the
                              originals' entries, the redactions', the 调用单's, the 局长's
                              decisions and approval, and the package's own entry, which lists
                              the delivered files' digests

Built in two steps around the ledgered action: ``stage`` writes the files into a temporary
folder (nothing visible), the action ``copy_package_make`` records the files' digests, then
``finish`` writes the ledger extract (which now holds the package's own entry), makes the bag and
moves it, zipped, into ``CASETRAIL_COPY_DIR`` with one rename: a package is there whole or not at
all.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from casetrail.access.models import CopyPackage, CopyRequest, Disposition, ItemKind
from casetrail.access.originals import original_of
from casetrail.access.selectors import approving_step, binding_decisions, items_of
from casetrail.access.watermark import watermark_image, watermark_pdf
from casetrail.access.writes import blob_bytes, digests_of
from casetrail.documents.content import chinese_date, printed
from casetrail.documents.fonts import FontMissing
from casetrail.documents.render import render
from casetrail.ledger.extract import write_ledger_extract
from casetrail.ledger.models import Ledger
from casetrail.ledger.selectors import ledger_index_for, row_key
from casetrail.lib.errors import ActionError

# bagit reports each file it writes at INFO; the server's console needs none of it.
logging.getLogger("bagit").setLevel(logging.WARNING)

EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/wav": ".wav",
}


@dataclass
class Staged:
    """A package being built: its folder (``root/payload`` becomes the bag's data), the files
    with their digests (what the ledger entry records) and the description (``copy.json``)."""

    root: Path
    files: list[dict[str, Any]] = field(default_factory=list)
    described: dict[str, Any] = field(default_factory=dict)
    seqs: set[int] = field(default_factory=set)

    @property
    def payload(self) -> Path:
        return self.root / "payload"

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("_")[:60] or "item"


def watermark_text(request: CopyRequest, recipient: str) -> str:
    return f"仅供{recipient}使用 · {request.number} · {timezone.localdate():%Y-%m-%d}"


def _add(staged: Staged, relative: str, data: bytes, **about: Any) -> dict[str, Any]:
    path = staged.payload / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    d = digests_of(data)
    row = {"path": f"data/{relative}", "sha256": d["sha256"], "sm3": d["sm3"], "size": len(data)}
    row.update(about)
    staged.files.append(row)
    return row


def _record_pdf(request: CopyRequest, record: Any, seq: int) -> bytes:
    try:
        content = printed(
            record=record, case=request.case, doc_no=None, record_seq=seq, now=timezone.now()
        )
        return render(content).pdf
    except FontMissing as exc:
        raise ActionError("font_missing", str(exc), status=503) from None


def _request_pdf(request: CopyRequest, decisions: dict[int, Any], seq: int) -> bytes:
    """The 调用单 as printed, with the 局长's decision per item and the approval."""
    step = approving_step(request.chain)
    content = printed(
        record=request.record, case=request.case, doc_no=None, record_seq=seq, now=timezone.now()
    )
    lines = [
        f"{i.label}：{decisions[i.pk].get_disposition_display()}（{decisions[i.pk].reason}）"
        for i in items_of(request)
        if i.pk in decisions
    ]
    extra = [("调用单编号", request.number), ("局长逐项决定", "；".join(lines))]
    if step is not None:
        extra.append(
            (
                "批准",
                f"{step.officer.name} {chinese_date(timezone.localdate(step.created_at))}：{step.opinion}",
            )
        )
    content = dataclasses.replace(content, fields=[*content.fields, *extra])
    try:
        return render(content).pdf
    except FontMissing as exc:
        raise ActionError("font_missing", str(exc), status=503) from None


def stage(*, request: CopyRequest, recipient: str) -> Staged:
    """Write the package's files into a temporary folder: each item given (the original) or
    redacted (its latest redaction), PDFs and photos watermarked for ``recipient``; the 调用单.
    Refused: an item decided redacted without its redaction (``redaction_missing``)."""
    decisions = binding_decisions(request)
    index = ledger_index_for(agency_id=request.agency_id, case_id=request.case_id)
    base = Path(settings.CASETRAIL_COPY_DIR) / ".staging"
    base.mkdir(parents=True, exist_ok=True)
    staged = Staged(Path(tempfile.mkdtemp(prefix="pkg-", dir=base)))
    try:
        _stage_items(staged, request, recipient, decisions)
        request_seq = index[row_key("access.CopyRequest", request.pk)]
        _add(
            staged,
            "调用单.pdf",
            _request_pdf(request, decisions, request_seq),
            source=f"copy:{request.pk}",
        )
        step = approving_step(request.chain)
        staged.seqs.add(request_seq)
        staged.seqs.update(index[row_key("access.CopyDecision", d.pk)] for d in decisions.values())
        if step is not None:
            staged.seqs.add(index[row_key("approvals.Step", step.pk)])
        staged.described.update(
            {
                "request": request.number,
                "recipient": recipient,
                "requester": request.requester,
                "requester_kind": request.get_requester_kind_display(),
                "purpose": request.purpose,
                "agency": request.case.agency.name,
                "agency_code": request.case.agency.credit_code,
                "case": request.case.number or request.case.label,
                "request_entry": request_seq,
            }
        )
    except BaseException:
        staged.cleanup()
        raise
    return staged


def _stage_items(
    staged: Staged, request: CopyRequest, recipient: str, decisions: dict[int, Any]
) -> None:
    mark = watermark_text(request, recipient)
    listed: list[dict[str, Any]] = []
    for n, item in enumerate(items_of(request), 1):
        decision = decisions[item.pk]
        entry: dict[str, Any] = {
            "label": item.label,
            "kind": item.kind,
            "disposition": decision.disposition,
            "reason": decision.reason,
        }
        listed.append(entry)
        if decision.disposition == Disposition.WITHHELD:
            continue
        original = original_of(item)
        staged.seqs.add(original.seq)
        entry["original"] = {"entry": original.seq, "sha256": original.sha256, "sm3": original.sm3}
        if decision.disposition == Disposition.REDACTED:
            redaction = item.redactions.order_by("-made_at", "-id").first()
            if redaction is None:
                raise ActionError(
                    "redaction_missing", f"“{item.label}”须先制作删除处理件", status=409
                )
            seq = ledger_index_for(agency_id=request.agency_id, case_id=request.case_id)[
                row_key("access.Redaction", redaction.pk)
            ]
            staged.seqs.add(seq)
            entry["redaction"] = {
                "entry": seq,
                "method": redaction.method,
                "regions": redaction.regions,
                "reason": redaction.reason,
                "approved_by": redaction.approved_by.name,
                "sha256": redaction.blob.sha256,
                "sm3": redaction.blob.sm3,
            }
            data, media_type = blob_bytes(redaction.blob), redaction.blob.media_type
        elif item.kind == ItemKind.RECORD:
            data, media_type = _record_pdf(request, item.record, original.seq), "application/pdf"
        else:
            assert original.blob is not None
            data, media_type = blob_bytes(original.blob), original.media_type
        # The file this copy is made from, when the log holds its digest (an issued PDF, a
        # recording, a redaction): a watermarked copy names it (``original_sha256``) so the
        # verifier follows the copy to that file's entry; an unwatermarked one is that file.
        source = (
            entry["redaction"]["sha256"]
            if "redaction" in entry
            else (original.sha256 if original.blob is not None else None)
        )
        watermarked = True
        if media_type == "application/pdf":
            data = watermark_pdf(data, mark)
        elif media_type in ("image/jpeg", "image/png"):
            data, media_type = watermark_image(data, mark)
        else:
            watermarked = False  # audio/video: delivered as recorded
        name = f"items/{n:02d}-{_safe(item.label)}{EXTENSIONS.get(media_type, '.bin')}"
        about: dict[str, Any] = {"source": f"copy-item:{item.pk}", "watermarked": watermarked}
        if watermarked and source is not None:
            about["original_sha256"] = source
        row = _add(staged, name, data, **about)
        entry["file"] = {k: row[k] for k in ("path", "sha256", "sm3", "size")}
        entry["watermarked"] = watermarked
    staged.described["items"] = listed


def finish(*, package: CopyPackage, staged: Staged, package_seq: int) -> Path:
    """Write the ledger extract, ``copy.json``, the README, make the bag and move it in place
    whole: ``<CASETRAIL_COPY_DIR>/<package id>.zip``. Returns the bag folder (still staged, for
    a folder delivery) — the caller cleans it up."""
    request = package.request
    ledger = Ledger.objects.get(agency_id=request.agency_id)
    staged.seqs.add(package_seq)
    summary = write_ledger_extract(
        ledger=ledger, entries=sorted(staged.seqs), dest=staged.payload / "ledger"
    )
    described = {
        **staged.described,
        "package": package.pk,
        "package_entry": package_seq,
        "made_at": package.made_at.isoformat(),
        "ledger": {
            "origin": summary.origin,
            "hash": summary.hash_name,
            "checkpoint_size": summary.checkpoint_size,
            "entries": list(summary.seqs),
        },
        "files": [{k: f[k] for k in ("path", "sha256", "sm3", "size")} for f in package.files],
    }
    (staged.payload / "copy.json").write_text(
        json.dumps(described, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )
    bag_dir = staged.root / "bag"
    staged.payload.rename(bag_dir)
    bag = bagit.make_bag(
        str(bag_dir),
        bag_info={
            "Source-Organization": request.case.agency.name,
            "External-Identifier": request.number,
            "External-Description": f"行政执法全过程记录复制件（{package.recipient}）",
            "Bagging-Date": timezone.localdate().isoformat(),
        },
        checksums=["sha256"],
    )
    _add_sm3_manifest(bag_dir)
    readme = render_to_string(
        "access/package_readme.html", {"d": described, "package": package, "request": request}
    )
    (bag_dir / "README.html").write_text(readme, encoding="utf-8")
    _write_tagmanifest(bag_dir)
    del bag
    target_dir = Path(settings.CASETRAIL_COPY_DIR)
    part = staged.root / "package.zip"
    _zip(bag_dir, part, top=f"{_safe(request.number)}-{package.pk}")
    part.replace(target_dir / f"{package.pk}.zip")  # one rename: whole or not at all
    return bag_dir


def _add_sm3_manifest(bag_dir: Path) -> None:
    """manifest-sm3.txt beside bagit's SHA-256 one (SM3 is not among the algorithms bagit knows,
    so it is written here in the same form: digest, two spaces, path)."""
    lines = []
    for path in sorted((bag_dir / "data").rglob("*")):
        if path.is_file():
            lines.append(
                f"{digests_of(path.read_bytes())['sm3']}  {path.relative_to(bag_dir).as_posix()}\n"
            )
    (bag_dir / "manifest-sm3.txt").write_text("".join(lines), encoding="utf-8")


def _write_tagmanifest(bag_dir: Path) -> None:
    """tagmanifest-sha256.txt and tagmanifest-sm3.txt over every tag file (README included)."""
    tags = sorted(
        p for p in bag_dir.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")
    )
    for algo in ("sha256", "sm3"):
        text = "".join(f"{digests_of(p.read_bytes())[algo]}  {p.name}\n" for p in tags)
        (bag_dir / f"tagmanifest-{algo}.txt").write_text(text, encoding="utf-8")


def _zip(folder: Path, dest: Path, *, top: str) -> None:
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{top}/{path.relative_to(folder).as_posix()}")


def package_path(package: CopyPackage) -> Path:
    return Path(settings.CASETRAIL_COPY_DIR) / f"{package.pk}.zip"


def copy_folder(bag_dir: Path, dest: Path, *, name: str) -> Path:
    """A folder delivery: the bag copied under ``dest`` beside, then renamed into place."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / name
    if target.exists():
        raise ActionError("target_exists", f"目标文件夹已存在：{target}")
    part = dest / f".{name}.part"
    shutil.rmtree(part, ignore_errors=True)
    shutil.copytree(bag_dir, part)
    part.rename(target)
    return target
