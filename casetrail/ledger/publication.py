"""Publishing checkpoints outside the agency (第三十五条（三）): every checkpoint, with the cosignatures
received so far, is written to CASETRAIL_PUBLISH_TO — a folder another body keeps, or an S3 bucket
of another body (``s3://bucket/prefix``, with the S3_* endpoint and credentials). A checkpoint holds
only the origin, the size and a hash: no personal data leaves the agency.

Layout (per log, ``<origin with / as _>``): ``checkpoint`` (the latest), ``checkpoints/<size>`` (each),
``keys`` (the pinned log keys and the witness keys, one vkey a line). Publishing never blocks
recording: a failure is logged and the next checkpoint publishes again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings

from casetrail.ledger.keys import trusted_keys
from casetrail.ledger.models import Checkpoint, Ledger
from casetrail.ledger.witnesses import configured_witnesses, witnessed_note
from casetrail.lib.outside import require_no_transaction

log = logging.getLogger(__name__)


def folder_name(ledger: Ledger) -> str:
    return ledger.origin.replace("/", "_")


def verifier_keys(ledger: Ledger) -> list[str]:
    """The vkeys an outsider needs: the log's pinned keys, then the witnesses' keys."""
    keys = [str(getattr(v, "vkey", lambda: "")()) for v in trusted_keys(ledger).verifiers]
    keys += [w.verifier.vkey() for w in configured_witnesses()]
    return [k for k in keys if k]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def publish(checkpoint: Checkpoint) -> bool:
    """Push ``checkpoint`` (with its cosignatures) and the verifier keys; False when not configured
    or the push failed (logged)."""
    target = settings.CASETRAIL_PUBLISH_TO
    if not target:
        return False
    # Before the try: a programming error is not a storage failure to log and pass over.
    require_no_transaction(f"publishing to {target}")
    ledger = checkpoint.ledger
    files = {
        "checkpoint": witnessed_note(checkpoint),
        f"checkpoints/{checkpoint.size}": witnessed_note(checkpoint),
        "keys": "".join(k + "\n" for k in verifier_keys(ledger)),
    }
    try:
        if target.startswith("s3://"):
            import boto3

            bucket, _, prefix = target[len("s3://") :].partition("/")
            client = boto3.client(
                "s3",
                endpoint_url=settings.S3_ENDPOINT_URL,
                region_name=settings.S3_REGION,
                aws_access_key_id=settings.S3_ACCESS_KEY_ID,
                aws_secret_access_key=settings.S3_SECRET_ACCESS_KEY,
            )
            base = f"{prefix.strip('/')}/{folder_name(ledger)}".lstrip("/")
            for name, text in files.items():
                client.put_object(
                    Bucket=bucket,
                    Key=f"{base}/{name}",
                    Body=text.encode("utf-8"),
                    ContentType="text/plain; charset=utf-8",
                )
        else:
            base_dir = Path(target) / folder_name(ledger)
            for name, text in files.items():
                _write(base_dir / name, text)
    except Exception as exc:  # any storage failure: never block recording, say why in the log
        log.warning("checkpoint %s not published to %s: %s", checkpoint, target, exc)
        return False
    return True


def published_latest(ledger: Ledger) -> str | None:
    """The latest checkpoint note published to a folder (None: no folder, or nothing there)."""
    target = settings.CASETRAIL_PUBLISH_TO
    if not target or target.startswith("s3://"):
        return None
    path = Path(target) / folder_name(ledger) / "checkpoint"
    return path.read_text(encoding="utf-8") if path.exists() else None
