from django.urls import path

from habeas.housing import views

app_name = "housing"

urlpatterns = [
    path("", views.home, name="home"),
    path("facilities/<slug:code>/roll/", views.roll_board, name="roll"),
]
