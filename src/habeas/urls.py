from django.urls import include, path

from habeas.api import api
from habeas.core.registry import app_modules

# Each app's urls.py declares its full paths and its own namespace (app_name).
urlpatterns = [
    path("api/v1/", api.urls),
    *[path("", include(module)) for module in app_modules("urls")],
]
