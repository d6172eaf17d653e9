from django.urls import path

from habeas.incidents import views

app_name = "incidents"

urlpatterns = [
    path("facilities/<slug:code>/incidents/", views.incidents, name="list"),
    path("facilities/<slug:code>/incidents/new/", views.record_incident, name="record"),
]
