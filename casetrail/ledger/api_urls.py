from django.urls import path

from casetrail.ledger import api

urlpatterns = [
    # Public, read-only, no login: what an outside body keeps and compares (issue 14).
    path(
        "public/ledgers/<str:agency>/checkpoint",
        api.PublicCheckpointAPI.as_view(),
        name="api-public-checkpoint",
    ),
    path(
        "public/ledgers/<str:agency>/checkpoints/<int:size>",
        api.PublicCheckpointAtAPI.as_view(),
        name="api-public-checkpoint-at",
    ),
    path(
        "public/ledgers/<str:agency>/checkpoints/<int:size>/tsr",
        api.PublicTimestampAPI.as_view(),
        name="api-public-checkpoint-tsr",
    ),
    path("public/ledgers/<str:agency>/keys", api.PublicKeysAPI.as_view(), name="api-public-keys"),
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
