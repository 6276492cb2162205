"""The approval chains of the internal decisions after the start (第六条), registered with
``approvals.kinds.register_kind`` from ``DecisionsConfig.ready()``."""

from django.db import models


class DecisionChain(models.TextChoices):
    CASE_DECISION = "case_decision", "处理决定审批"
    EVIDENCE_PRESERVATION = "evidence_preservation", "证据保全（先行登记保存）审批"
    ENFORCEMENT_DECISION = "enforcement_decision", "强制执行决定审批"
    COURT_ENFORCEMENT = "court_enforcement", "申请人民法院强制执行审批"
    CASE_CLOSING = "case_closing", "结案审批"
    PERIOD_EXTENSION = "period_extension", "延长办案期限审批"
    MAJOR_FLAG_LOWER = "major_flag_lower", "取消重大复杂案件认定审批"
    CONFIDENTIALITY_CHANGE = "confidentiality_change", "密级变更审批"
