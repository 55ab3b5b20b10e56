from django.urls import path

from bench.floor_app import views

urlpatterns = [
    path("sign/", views.sign, name="sign"),
    path("thanks/", views.page, name="thanks"),
    path("count.json", views.count, name="count"),
    path("page/", views.page, name="page"),
]
