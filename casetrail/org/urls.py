from django.urls import path

from casetrail.org import views

urlpatterns = [
    path("org/officers/", views.officer_list, name="org-officers"),
    path("org/officers/<int:officer_id>/", views.officer_detail, name="org-officer"),
    path(
        "org/officers/<int:officer_id>/tokens/<int:token_id>/revoke/",
        views.officer_token_revoke,
        name="org-officer-token-revoke",
    ),
    path(
        "org/officers/<int:officer_id>/password/reset/",
        views.officer_password_reset,
        name="org-officer-password-reset",
    ),
    path(
        "org/officers/<int:officer_id>/<slug:change>/",
        views.officer_change,
        name="org-officer-change",
    ),
    path("org/me/token/", views.my_tokens, name="org-my-token"),
    path("org/me/password/", views.my_password, name="org-my-password"),
    path("org/me/totp/", views.my_totp, name="org-my-totp"),
    path("login/otp/", views.login_otp, name="login-otp"),
    path("reauth/", views.reauth, name="reauth"),
]
