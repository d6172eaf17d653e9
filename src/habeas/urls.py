from django.urls import include, path

from habeas.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("habeas.housing.urls")),
    path("accounts/", include("habeas.accounts.urls")),
]
