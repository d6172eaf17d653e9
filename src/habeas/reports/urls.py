from django.urls import path

from habeas.reports import views

app_name = "reports"

urlpatterns = [
    path(
        "facilities/<slug:code>/reports/inspection/<int:run_id>/",
        views.inspection_report,
        name="inspection",
    ),
]
