from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "casetrail.evidence"
    label = "evidence"
    verbose_name = "音像证据"

    def ready(self) -> None:
        from casetrail.cases import hooks
        from casetrail.evidence import panels
        from casetrail.evidence.fixity import verify_check
        from casetrail.evidence.selectors import case_of_blob, case_of_item
        from casetrail.evidence.uploads import expire_abandoned_uploads
        from casetrail.ledger.selectors import register_subject_case
        from casetrail.ledger.verify import register_check
        from casetrail.lib.periodic import Job, register

        # An upload's entries follow the item into the case it is linked to later (第三十三条).
        register_subject_case("evidence", case_of_item)
        register_subject_case("blob", case_of_blob)
        register_check(verify_check)  # `casetrail verify` re-hashes every blob too
        hooks.register_panel(panels.PANEL)
        hooks.register_worklist(panels.WORKLIST)
        register(Job("expire-uploads", expire_abandoned_uploads.enqueue, every=lambda: 300))
        from casetrail.evidence.tasks import purge_destroyed

        # A destruction deletes its bytes after its commit; a process dying in between leaves
        # them, and this pass deletes them (never bytes a DestroyedBlob row does not name).
        register(Job("purge-destroyed", purge_destroyed.enqueue, daily=True))
