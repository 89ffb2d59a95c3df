from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("<str:code>/", views.grid, name="grid"),
]
