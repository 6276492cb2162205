"""Every text record of a case: one row per document, insert-only (第三十五条)."""

from __future__ import annotations

from typing import Any

from django.db import models

from casetrail.cases.models import Case
from casetrail.org.models import Officer
from casetrail.records.catalogue import CATALOGUE


class Record(models.Model):
    """A document of the case as recorded: its type code and its field values.

    Never updated or deleted: a correction is a new Record whose ``replaces`` names this one and
    whose ``correction_reason`` says why.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField("文书类型", max_length=40)
    fields = models.JSONField("内容")
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间")
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    correction_reason = models.CharField("更正理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def title(self) -> str:
        doc = CATALOGUE.get(self.kind)
        return doc.title if doc else self.kind

    def display_fields(self) -> list[tuple[str, Any]]:
        doc = CATALOGUE.get(self.kind)
        if doc is None:
            return list(self.fields.items())
        out: list[tuple[str, Any]] = []
        for f in doc.fields:
            value = self.fields.get(f.name)
            if f.type == "bool":
                value = "是" if value else "否"
            elif f.type == "list":
                value = "；".join(value or [])
            elif f.type == "choice":
                value = dict(f.choices).get(value, value)
            elif f.type == "datetime" and value:
                value = value.replace("T", " ")[:16]
            if value in ("", None, []):
                continue  # an optional field left empty says nothing on the page
            out.append((f.label, value))
        return out
