from django.urls import path, re_path

from . import views, views_calendar, views_callbacks, views_hotline, views_map

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/duplicates/", views.duplicates, name="duplicates"),
    path("mine/", views.mine, name="mine"),
    path("tasks/", views.tasks, name="tasks"),
    path("on-the-spot/", views.on_the_spot, name="on_the_spot"),
    path("enter/", views.enter, name="enter"),
    path("queue/", views.queue, name="queue"),
    path("queue/xlsx/", views.queue_xlsx, name="queue_xlsx"),
    path("queue/dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("queue/views/", views.queue_view_save, name="queue_view_save"),
    path("queue/views/<int:pk>/delete/", views.queue_view_delete, name="queue_view_delete"),
    path("queue/targets/", views.bulk_targets, name="bulk_targets"),
    path("map/points.geojson", views_map.points, name="map_points"),
    path("metrics/<str:code>/", views.metrics, name="metrics"),
    path("metrics/<str:code>/xlsx/", views.metrics_xlsx, name="metrics_xlsx"),
    path("calendar/", views_calendar.calendar_years, name="calendar"),
    path("calendar/warning/", views_calendar.calendar_warning, name="calendar_warning"),
    path("calendar/<int:year>/", views_calendar.calendar_year, name="calendar_year"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/take/", views.take, name="take"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("callbacks/", views_callbacks.callback_list, name="callbacks"),
    path("<int:pk>/callbacks/", views_callbacks.callback_record, name="callback_record"),
    path("<int:pk>/callbacks/reveal/", views_callbacks.callback_reveal, name="callback_reveal"),
    path("hotline/", views_hotline.hotline_home, name="hotline_home"),
    re_path(
        r"^hotline/layout/(?P<city_code>[0-9]{4})/$", views_hotline.hotline_layout, name="hotline_layout"
    ),
    path("hotline/<str:code>/", views_hotline.hotline, name="hotline"),
    path("hotline/<str:code>/template/", views_hotline.hotline_template, name="hotline_template"),
    path("hotline/<str:code>/outcomes/", views_hotline.hotline_export, name="hotline_export"),
    path("hotline/<str:code>/runs/<int:pk>/", views_hotline.hotline_run, name="hotline_run"),
    path("hotline/<str:code>/runs/<int:pk>/confirm/", views_hotline.hotline_confirm, name="hotline_confirm"),
]
