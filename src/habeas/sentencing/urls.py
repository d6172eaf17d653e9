from django.urls import path

from habeas.sentencing import views

app_name = "sentencing"

urlpatterns = [
    path("facilities/<slug:code>/deadlines/", views.deadlines, name="deadlines"),
    path("people/<int:person_id>/sentences/", views.person, name="person"),
    path("law/", views.profiles, name="profiles"),
    path("law/<str:jurisdiction>/", views.profile, name="profile"),
    path("what-if/", views.what_if, name="what_if"),
]
