from django.urls import path

from casetrail.ledger import api

urlpatterns = [
    path(
        "ledgers/<str:agency>/checkpoint", api.CheckpointAPI.as_view(), name="api-ledger-checkpoint"
    ),
    path("ledgers/<str:agency>/key", api.PublicKeyAPI.as_view(), name="api-ledger-key"),
    path("ledgers/<str:agency>/entries/<int:seq>", api.EntryAPI.as_view(), name="api-ledger-entry"),
    path(
        "ledgers/<str:agency>/entries/<int:seq>/tlog-proof",
        api.TlogProofAPI.as_view(),
        name="api-ledger-tlog-proof",
    ),
    path(
        "ledgers/<str:agency>/proof/inclusion",
        api.InclusionProofAPI.as_view(),
        name="api-ledger-inclusion",
    ),
    path(
        "ledgers/<str:agency>/proof/consistency",
        api.ConsistencyProofAPI.as_view(),
        name="api-ledger-consistency",
    ),
]
