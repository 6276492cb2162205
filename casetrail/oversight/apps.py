from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "casetrail.oversight"
    label = "oversight"
    verbose_name = "监督"

    def ready(self) -> None:
        from casetrail.cases.hooks import register_worklist
        from casetrail.lib.periodic import Job, register
        from casetrail.oversight import (  # noqa: F401  (register finding kinds, 公示 deadlines)
            publishing,
            sources,
        )
        from casetrail.oversight.links import publication_links
        from casetrail.oversight.tasks import refresh_findings
        from casetrail.oversight.worklist import OVERSIGHT
        from casetrail.records.links import register_record_links

        register_worklist(OVERSIGHT)
        register_record_links(publication_links)  # 拟写公示 beside a decision
        register(Job("findings", refresh_findings.enqueue, daily=True))
