from django.urls import path

from habeas.conditions import views

app_name = "conditions"

urlpatterns = [
    path("facilities/<slug:code>/conditions/", views.day, name="day"),
    path(
        "facilities/<slug:code>/conditions/readings/",
        views.upload_readings,
        name="upload_readings",
    ),
    path("facilities/<slug:code>/conditions/water/", views.deliver_water, name="deliver_water"),
]
