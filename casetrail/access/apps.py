from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Copies on the director's approval (第三十二条) and what is withheld from them (第三十三条):
    the 调用单 and its chain, redactions as derived material, copy packages a court checks offline,
    and the disclosure register on the case page. Registers its chain kind and panel from here."""

    name = "casetrail.access"
    label = "access"
    verbose_name = "调用与复制"

    def ready(self) -> None:
        from casetrail.access import panels
        from casetrail.access.chains import copy_chain_ended, copy_consequence
        from casetrail.access.kinds import COPY_CHAIN, COPY_CHAIN_LABEL
        from casetrail.approvals.kinds import register_consequence, register_kind
        from casetrail.cases import hooks
        from casetrail.records.links import register_record_links

        register_kind(COPY_CHAIN, copy_chain_ended, label=COPY_CHAIN_LABEL)
        register_consequence(COPY_CHAIN, copy_consequence)
        hooks.register_panel(panels.PANEL)
        hooks.register_link(panels.case_links)
        hooks.register_api_section("copies", panels.api)
        register_record_links(panels.record_links)
