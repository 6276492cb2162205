"""The approval chain of an exemption from a rule (第六条: an exemption is a decision), registered
with ``approvals.kinds.register_kind`` from ``ComplianceConfig.ready()``."""

from django.db import models


class ComplianceChain(models.TextChoices):
    EXEMPTION = "exemption", "规则豁免审批"
