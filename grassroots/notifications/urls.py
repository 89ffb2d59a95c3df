from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.delivery_settings, name="settings"),
    path("settings/wechat/", views.wechat_connect, name="wechat_connect"),
    path("settings/wechat/callback/", views.wechat_callback, name="wechat_callback"),
    path("settings/wechat/disconnect/", views.wechat_disconnect, name="wechat_disconnect"),
]
