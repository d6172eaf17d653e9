from django.urls import path

from habeas.standards import views

app_name = "standards"

urlpatterns = [
    path("facilities/<slug:code>/standards/", views.dashboard, name="dashboard"),
    path("facilities/<slug:code>/standards/check/", views.check, name="check"),
    path("facilities/<slug:code>/standards/jobs/<str:job_id>/", views.job_view, name="job"),
    path("facilities/<slug:code>/standards/runs/<int:run_id>/", views.run_page, name="run"),
    path(
        "facilities/<slug:code>/standards/runs/<int:run_id>/<str:rule>/",
        views.finding,
        name="finding",
    ),
    path(
        "facilities/<slug:code>/standards/runs/<int:run_id>/<str:rule>/people/<int:person_id>/",
        views.finding_person,
        name="finding_person",
    ),
    path(
        "facilities/<slug:code>/standards/runs/<int:run_id>/<str:rule>/cells/<str:cell>/",
        views.finding_cell,
        name="finding_cell",
    ),
    path("people/<int:person_id>/findings/", views.person_findings, name="person"),
]
