from django.urls import path

from casetrail.archive import api

urlpatterns = [
    path("archive/settings/", api.ArchiveSettingsAPI.as_view(), name="api-archive-settings"),
    path("cases/<int:case_id>/archive/", api.CaseFileAPI.as_view(), name="api-case-file"),
    *[
        path(
            f"cases/<int:case_id>/archive/{step}/",
            api.CaseFileStepAPI.as_view(step=step),
            name=f"api-case-file-{step}",
        )
        for step in api.STEPS
    ],
]
