from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.home, name="home"),
    path("bulletins/<int:pk>/", views.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/xlsx/", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("<str:code>/bulletins/", views.bulletins, name="bulletins"),
    path("<str:code>/hotspots/", views.hotspots, name="hotspots"),
    path("<str:code>/xlsx/", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("<str:code>/hotspots/act/", views.hotspot_act, name="hotspot_act"),
    path("<str:code>/", views.dashboard, name="dashboard"),
]
