"""The approval chains of the start procedure (第六条、第七至九条), registered with
``approvals.kinds.register_kind`` from ``StartConfig.ready()``."""

from django.db import models


class StartChain(models.TextChoices):
    CASE_START = "case_start", "程序启动审批"
    APPLICATION_DECISION = "application_decision", "受理审批"
    COMPLAINT_DECISION = "complaint_decision", "不予启动审批"
