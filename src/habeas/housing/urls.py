from django.urls import path

from habeas.housing import views

app_name = "housing"

urlpatterns = [
    path("", views.home, name="home"),
    path("facilities/<slug:code>/", views.roll_board, name="roll"),
    path("facilities/<slug:code>/units/<str:unit>/", views.unit_view, name="unit"),
    path("facilities/<slug:code>/cells/<str:cell>/", views.cell_view, name="cell"),
    path("facilities/<slug:code>/roll/<slug:which>/", views.flagged, name="flagged"),
    path("facilities/<slug:code>/allocation/", views.allocation, name="allocation"),
    path(
        "facilities/<slug:code>/cells/<str:cell>/decide/", views.cell_decision, name="cell_decision"
    ),
]
