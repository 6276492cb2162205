from django.urls import path

from casetrail.org import api

urlpatterns = [
    path("officers/", api.OfficerListAPI.as_view(), name="api-officers"),
    path("officers/<int:officer_id>/", api.OfficerDetailAPI.as_view(), name="api-officer"),
    path(
        "officers/<int:officer_id>/certificate/",
        api.OfficerCertificateAPI.as_view(),
        name="api-officer-certificate",
    ),
    path(
        "officers/<int:officer_id>/roles/", api.OfficerRolesAPI.as_view(), name="api-officer-roles"
    ),
    path("officers/<int:officer_id>/unit/", api.OfficerUnitAPI.as_view(), name="api-officer-unit"),
    path(
        "officers/<int:officer_id>/deactivate/",
        api.OfficerDeactivateAPI.as_view(),
        name="api-officer-deactivate",
    ),
    path(
        "officers/<int:officer_id>/reactivate/",
        api.OfficerReactivateAPI.as_view(),
        name="api-officer-reactivate",
    ),
    path(
        "officers/<int:officer_id>/tokens/",
        api.OfficerTokensAPI.as_view(),
        name="api-officer-tokens",
    ),
    path(
        "officers/<int:officer_id>/tokens/<int:token_id>/",
        api.OfficerTokenAPI.as_view(),
        name="api-officer-token",
    ),
    path(
        "officers/<int:officer_id>/password/reset/",
        api.OfficerPasswordResetAPI.as_view(),
        name="api-officer-password-reset",
    ),
    path("me/tokens/", api.MyTokensAPI.as_view(), name="api-my-tokens"),
    path("me/tokens/<int:token_id>/", api.MyTokenAPI.as_view(), name="api-my-token"),
    path("me/password/", api.MyPasswordAPI.as_view(), name="api-my-password"),
]
