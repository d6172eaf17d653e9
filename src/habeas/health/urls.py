from django.urls import path

from habeas.health import views

app_name = "health"

urlpatterns = [
    path("people/<int:person_id>/health/", views.person, name="person"),
    path(
        "people/<int:person_id>/health/examinations/",
        views.record_examination,
        name="record_examination",
    ),
    path("people/<int:person_id>/health/contacts/", views.record_contact, name="record_contact"),
    path("facilities/<slug:code>/health/", views.awaiting, name="awaiting"),
]
