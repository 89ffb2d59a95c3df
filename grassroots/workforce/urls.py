from django.urls import path

from . import views, views_roster

app_name = "workforce"
urlpatterns = [
    path("", views.home, name="home"),
    path("check-in/", views.check_in_mine, name="check_in_mine"),
    path("check-ins/", views.check_in_list, name="check_in_list"),
    path("check-ins/xlsx/", views.check_in_xlsx, name="check_in_xlsx"),
    path(
        "check-ins/<int:pk>/confirm/", views.check_in_decide, {"decision": "confirm"}, name="check_in_confirm"
    ),
    path(
        "check-ins/<int:pk>/decline/", views.check_in_decide, {"decision": "decline"}, name="check_in_decline"
    ),
    path("check-ins/<int:pk>/services/", views.service_log, name="service_log"),
    path("my-workers/", views.my_grid_workers, name="my_grid_workers"),
    path("my-phone/", views.my_phone_setting, name="my_phone_setting"),
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("patrols/tasks/<int:pk>/done/", views.patrol_task_done, name="patrol_task_done"),
    path("patrols/<int:pk>/end/", views.patrol_action, {"action": "end"}, name="patrol_end"),
    path("patrols/<int:pk>/findings/", views.patrol_action, {"action": "finding"}, name="patrol_finding"),
    path("workers/<int:pk>/", views.worker, name="worker"),
    path("roster/<str:code>/", views_roster.roster, name="roster"),
    path("roster/<str:code>/template/", views_roster.roster_template, name="roster_template"),
    path("roster/<str:code>/export/", views_roster.roster_export, name="roster_export"),
    path("roster/<str:code>/runs/<int:pk>/", views_roster.roster_run, name="roster_run"),
    path("roster/<str:code>/runs/<int:pk>/confirm/", views_roster.roster_confirm, name="roster_confirm"),
    path("workload/<str:code>/", views.workload, name="workload"),
    path("workload/<str:code>/xlsx/", views.workload_xlsx, name="workload_xlsx"),
    path("<str:code>/figures/", views.grid_figures, name="grid_figures"),
    path("<str:code>/roll/", views.branch_roll, name="branch_roll"),
    path("<str:code>/", views.grid, name="grid"),
]
