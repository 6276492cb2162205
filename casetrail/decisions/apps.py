from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    """Internal decisions after the start (第六条; 第四、五章): each taken through an approval chain
    by the people who hold the power, in their own login — the decision on the case (处理决定审批),
    evidence preservation, enforcement, the court application, closing the case, extensions,
    exemptions and a change of the 重大 flag. Registers its chain effects, acts, panels and rules
    into the apps below from here."""

    name = "casetrail.decisions"
    label = "decisions"
    verbose_name = "审查决定"

    def ready(self) -> None:
        self._register_other_decisions()

    @staticmethod
    def _register_other_decisions() -> None:
        """证据保全, 强制执行决定, 申请人民法院强制执行, 结案, 延期 and the 重大 flag."""
        from casetrail.approvals.kinds import register_effect
        from casetrail.approvals.models import ChainKind
        from casetrail.cases.hooks import register_act, register_decided_stage
        from casetrail.cases.models import Stage
        from casetrail.decisions import closing, enforcement, extension, flags, preservation
        from casetrail.decisions.proposals import ACTS
        from casetrail.records.guards import register_guard, register_own_step

        register_effect(ChainKind.EVIDENCE_PRESERVATION, preservation.preservation_ended)
        register_effect(
            ChainKind.ENFORCEMENT_DECISION, enforcement.enforcement_ended, legal_checklist=True
        )
        register_effect(
            ChainKind.COURT_ENFORCEMENT, enforcement.court_application_ended, legal_checklist=True
        )
        register_effect(ChainKind.CASE_CLOSING, closing.closing_ended)
        register_effect(ChainKind.PERIOD_EXTENSION, extension.extension_ended)
        register_effect(ChainKind.MAJOR_FLAG_LOWER, flags.lower_ended)
        for slug, act in ACTS.items():
            register_act(slug, act)
        register_decided_stage(Stage.CLOSED, "closing_requires_approval", closing.REFUSED_ADVANCE)
        # Proposals are made by their acts and revised by resubmitting them, never as 制作文书.
        for kind, where in (
            (preservation.PROPOSAL, "请在案件页“提请证据保全（先行登记保存）审批”"),
            (enforcement.ENFORCEMENT_FORM, "请在案件页“提请强制执行决定审批”"),
            (enforcement.COURT_FORM, "请在案件页“提请申请人民法院强制执行审批”"),
            (closing.PROPOSAL, "请在案件页“提请结案审批”"),
            (extension.PROPOSAL, "请在案件页“提请延长办案期限”"),
            (flags.RECORD, "请在案件页“认定为重大复杂案件”或“提请取消重大复杂案件认定”"),
        ):
            register_own_step(kind, f"该文书经审批办理，不能直接制作或更正：{where}")
        register_guard("evidence_register", preservation.register_follows_approval)
        register_guard("enforcement_decision", enforcement.enforcement_decision_follows_approval)
        register_guard("court_enforcement_record", enforcement.court_record_follows_approval)
