from django.contrib.auth import views as auth_views
from django.urls import path

from habeas.accounts import views

app_name = "accounts"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Second factor, re-authentication and users' access (issue #8).
    path("accounts/second-factor/", views.enrol, name="enrol"),
    path("accounts/verify/", views.verify, name="verify"),
    path("accounts/reauthenticate/", views.reauthenticate, name="reauthenticate"),
    # One's own profile (language) and the language switch on every page (issue #9).
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/language/", views.switch_language, name="set_language"),
    path("accounts/users/", views.users, name="users"),
    path("accounts/users/<int:user_id>/", views.user_access, name="user"),
    path("accounts/users/<int:user_id>/disable", views.user_disable, name="user_disable"),
    path(
        "accounts/users/<int:user_id>/second-factor/reset",
        views.user_reset_second_factor,
        name="user_reset_second_factor",
    ),
]
