from django.urls import path

from habeas.custody import views

app_name = "custody"

urlpatterns = [
    path("people/<int:person_id>/", views.person_record, name="person"),
    path("people/<int:person_id>/move/", views.move, name="move"),
    path("people/<int:person_id>/move/options/", views.move_options, name="move_options"),
    path("people/<int:person_id>/release/", views.release, name="release"),
    path("people/<int:person_id>/transfer/", views.transfer, name="transfer"),
    path("facilities/<slug:code>/people/", views.people, name="people"),
    path("facilities/<slug:code>/intake/", views.intake, name="intake"),
    path("facilities/<slug:code>/intake/check/", views.intake_check, name="intake_check"),
    path("facilities/<slug:code>/intake/cells/", views.intake_cells, name="intake_cells"),
    path("facilities/<slug:code>/intake/file/", views.intake_upload, name="intake_upload"),
    path("facilities/<slug:code>/jobs/<str:job_id>/", views.job_view, name="job"),
]
