from django.urls import path

from . import views

app_name = "deliberation"
urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<str:code>/", views.area, name="area"),
    path("committees/new/", views.committee_new, name="committee_new"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("committees/<int:pk>/members/", views.committee_history, name="committee_history"),
    path("committees/<int:pk>/members/new/", views.member_new, name="member_new"),
    path("committees/<int:pk>/propose/", views.propose, name="propose"),
    path("committees/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("memberships/<int:pk>/end/", views.member_end, name="member_end"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/act/<str:action>/", views.topic_act, name="topic_act"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/act/<str:action>/", views.meeting_act, name="meeting_act"),
    path("sheets/<str:kind>/<int:pk>/", views.sheet, name="sheet"),
]
