from django.urls import path

from habeas.regime import views

app_name = "regime"

urlpatterns = [
    path("facilities/<slug:code>/regime/", views.day, name="day"),
    path("facilities/<slug:code>/regime/unlocks/", views.record_unlock, name="record_unlock"),
    path("facilities/<slug:code>/contact/", views.contact, name="contact"),
    path("facilities/<slug:code>/contact/visits/", views.request_visit, name="request_visit"),
    path(
        "facilities/<slug:code>/contact/visits/<int:visit_id>/decision/",
        views.decide_visit,
        name="decide_visit",
    ),
    path(
        "facilities/<slug:code>/contact/visits/<int:visit_id>/held/",
        views.hold_visit,
        name="hold_visit",
    ),
    path("people/<int:person_id>/daily-life/", views.person, name="person"),
]
