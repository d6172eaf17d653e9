from django.urls import path

from habeas.ledger import views

app_name = "ledger"

urlpatterns = [
    path(
        "facilities/<slug:code>/ledger/<int:person_id>/<str:day>/",
        views.person_day,
        name="person_day",
    ),
]
