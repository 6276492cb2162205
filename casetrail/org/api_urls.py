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
        "officers/<int:officer_id>/token/", api.OfficerTokenAPI.as_view(), name="api-officer-token"
    ),
    path("me/token/", api.MyTokenAPI.as_view(), name="api-my-token"),
]
