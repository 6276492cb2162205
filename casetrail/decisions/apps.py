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
        from casetrail.approvals.kinds import register_consequence, register_due, register_kind
        from casetrail.cases import hooks
        from casetrail.cases.models import Stage
        from casetrail.compliance.engine import register_extension
        from casetrail.decisions import (
            closing,
            enforcement,
            extension,
            flags,
            panels,
            preservation,
            rules,  # noqa: F401  (registers R15–R20, R44, R58)
        )
        from casetrail.decisions.acts import ACTS
        from casetrail.decisions.effects import decision_chain_ended
        from casetrail.decisions.followers import follows_its_decision
        from casetrail.decisions.guards import decision_document_guard
        from casetrail.decisions.kinds import DecisionChain as K
        from casetrail.decisions.proposals import ACTS as PROPOSALS
        from casetrail.decisions.selectors import (
            check_settings,
            decision_deadline,
            decision_deadlines,
        )
        from casetrail.records.guards import register_document_guard

        check_settings()
        # 行政处罚法第五十八条: the legal unit reviews the decisions on the case and the enforcement
        # ones item by item on the checklist.
        for kind, effect, checklist in (
            (K.CASE_DECISION, decision_chain_ended, True),
            (K.EVIDENCE_PRESERVATION, preservation.preservation_ended, False),
            (K.ENFORCEMENT_DECISION, enforcement.enforcement_ended, True),
            (K.COURT_ENFORCEMENT, enforcement.court_application_ended, True),
            (K.CASE_CLOSING, closing.closing_ended, False),
            (K.PERIOD_EXTENSION, extension.extension_ended, False),
            (K.MAJOR_FLAG_LOWER, flags.lower_ended, False),
            (K.CONFIDENTIALITY_CHANGE, flags.confidentiality_ended, False),
        ):
            register_kind(kind, effect, label=kind.label, legal_checklist=checklist)
        register_due(K.CASE_DECISION, decision_deadline, many=decision_deadlines, rule="CF60")
        register_consequence(K.CASE_CLOSING, closing.closing_consequence)
        register_extension(extension.approved_extension_days)
        # The decision's documents follow its approval; the proposals are catalogue entries
        # made_by: proposal (never 制作文书); the documents that follow another decision are made
        # only under its approval.
        register_document_guard(decision_document_guard)
        register_document_guard(follows_its_decision)
        for slug, act in (ACTS | PROPOSALS).items():
            hooks.register_act(slug, act)
        # 第六条: the case enters 结案 when the 结案审批 is approved, never by a click.
        hooks.register_decided_stage(
            Stage.CLOSED, "closing_requires_approval", closing.REFUSED_ADVANCE
        )
        hooks.register_panel(panels.PANEL)
        hooks.register_api_section("decision", panels.api)
