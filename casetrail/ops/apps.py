from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "casetrail.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from django.conf import settings

        from casetrail.ledger.verify import register_acknowledged
        from casetrail.lib.periodic import Job, register
        from casetrail.ops.recovery import acknowledged
        from casetrail.ops.tasks import planner_statistics

        # Fresh planner statistics without an operator (issue 18): at start-up (the scheduler runs
        # each periodic job once when it starts) and then every CASETRAIL_ANALYZE_SECONDS.
        register(
            Job(
                "planner-statistics",
                planner_statistics.enqueue,
                every=lambda: settings.CASETRAIL_ANALYZE_SECONDS,
            )
        )
        register_acknowledged(acknowledged)
