"""Which stored bytes a destruction (档案销毁) may delete: the blobs of the destroyed material —
every version of the case's 案卷 (its PDF, every file it lists, every 附卷, every package) and the
originals those files are (issued documents, audio/video, signature scans) — less any blob
something outside the destroyed case still names.

Every relation pointing at ``evidence.Blob`` is read from the model registry, so a model added
later (in any app, above or below this one) keeps its blobs by default: a reference counts as the
destroyed case's own only for the models listed in ``OWN`` with the path to their case; any other
row naming a blob keeps it (a copy package, a report, another case's item or document)."""

from __future__ import annotations

from typing import Any

from django.db.models import ForeignObjectRel, Q

from casetrail.archive.models import CaseFile
from casetrail.cases.models import Case
from casetrail.evidence.models import Blob

# model label → path from its row to the case it belongs to. Rows of these models belonging to the
# destroyed case do not keep a blob; rows of any other model, or of another case, do.
OWN: dict[str, str] = {
    "archive.CaseFile": "case",
    "archive.FileItem": "case_file__case",
    "archive.Package": "case_file__case",
    "archive.Addition": "case_file__case",
    "documents.IssuedDocument": "case",
    "records.RecordSignature": "record__case",
    "records.RecordAttachment": "record__case",
    "evidence.Item": "link__case",
    "evidence.Upload": "item__link__case",
}
# Derived from the blob, deleted with it (the poster frame's row cascades nowhere: it stays
# harmless; its file goes with the blob's bytes).
IGNORED = {"evidence.Poster"}


def material_blobs(case: Case) -> list[Blob]:
    """Every blob the case's 案卷 versions hold: PDFs, listed files, 附卷 material, packages."""
    files = CaseFile.objects.filter(case=case)
    ids: set[int] = set(files.exclude(pdf=None).values_list("pdf_id", flat=True))
    for f in files.prefetch_related("items", "packages", "additions"):
        ids.update(i.blob_id for i in f.items.all())
        ids.update(p.blob_id for p in f.packages.all())
        ids.update(a.blob_id for a in f.additions.all())
    return list(Blob.objects.filter(pk__in=ids).order_by("sha256"))


def kept_elsewhere(case: Case, blob_ids: set[int]) -> set[int]:
    """Of ``blob_ids``, those a row outside the destroyed case still names."""
    kept: set[int] = set()
    # include_hidden: most relations to Blob are related_name="+", which related_objects omits.
    relations = [
        f
        for f in Blob._meta.get_fields(include_hidden=True)
        if isinstance(f, ForeignObjectRel) and (f.one_to_many or f.one_to_one)
    ]
    for rel in relations:
        model: Any = rel.related_model
        label = model._meta.label
        if label in IGNORED or not blob_ids - kept:
            continue
        field = rel.field.name
        rows = model._default_manager.filter(**{f"{field}_id__in": blob_ids - kept})
        path = OWN.get(label)
        if path is not None:
            rows = rows.exclude(Q(**{path: case}))
        kept.update(rows.values_list(f"{field}_id", flat=True))
    return kept


def blobs_to_destroy(case: Case) -> list[Blob]:
    """The blobs whose bytes the destruction of ``case``'s 案卷 deletes (sorted by SHA-256)."""
    blobs = material_blobs(case)
    kept = kept_elsewhere(case, {b.pk for b in blobs})
    return [b for b in blobs if b.pk not in kept]
