from django.urls import path

from casetrail.org import views

urlpatterns = [
    path("org/officers/", views.officer_list, name="org-officers"),
    path("org/officers/<int:officer_id>/", views.officer_detail, name="org-officer"),
    path(
        "org/officers/<int:officer_id>/token/revoke/",
        views.officer_token_revoke,
        name="org-officer-token-revoke",
    ),
    path(
        "org/officers/<int:officer_id>/<slug:change>/",
        views.officer_change,
        name="org-officer-change",
    ),
    path("org/me/token/", views.my_token, name="org-my-token"),
]
