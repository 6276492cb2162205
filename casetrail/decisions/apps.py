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
        from casetrail.approvals.kinds import register_due, register_effect
        from casetrail.approvals.models import ChainKind
        from casetrail.cases import hooks
        from casetrail.decisions import (
            panels,
            rules,  # noqa: F401  (registers R15–R20, R44, R58)
        )
        from casetrail.decisions.acts import ACTS
        from casetrail.decisions.effects import decision_chain_ended
        from casetrail.decisions.guards import decision_document_guard
        from casetrail.decisions.selectors import check_settings, decision_deadline
        from casetrail.records.guards import register_document_guard

        check_settings()
        # 行政处罚法第五十八条: the legal unit reviews item by item on the checklist.
        register_effect(ChainKind.CASE_DECISION, decision_chain_ended, legal_checklist=True)
        register_due(ChainKind.CASE_DECISION, decision_deadline)
        register_document_guard(decision_document_guard)
        for slug, act in ACTS.items():
            hooks.register_act(slug, act)
        hooks.register_panel(panels.PANEL)
        hooks.register_api_section("decision", panels.api)
        self._register_other_decisions()

    @staticmethod
    def _register_other_decisions() -> None:
        """证据保全, 强制执行决定, 申请人民法院强制执行, 结案, 延期 and the 重大 flag."""
        from casetrail.approvals.kinds import register_effect
        from casetrail.approvals.models import ChainKind
        from casetrail.cases.hooks import register_act, register_decided_stage
        from casetrail.cases.models import Stage
        from casetrail.decisions import closing, enforcement, extension, flags, preservation
        from casetrail.decisions.followers import follows_its_decision
        from casetrail.decisions.proposals import ACTS
        from casetrail.records.guards import register_document_guard

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
        # The proposals are catalogue entries made_by: proposal (never 制作文书); the documents
        # that follow a decision are made only under its approval.
        register_document_guard(follows_its_decision)
