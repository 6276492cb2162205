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
        from casetrail.oversight.tasks import refresh_findings
        from casetrail.oversight.worklist import OVERSIGHT

        register_worklist(OVERSIGHT)
        register(Job("findings", refresh_findings.enqueue, daily=True))
