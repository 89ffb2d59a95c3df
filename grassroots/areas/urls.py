from django.urls import path

from . import views, views_io

app_name = "areas"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<str:code>/", views.detail, name="detail"),
    # Import / export (views_io): administrators of the area.
    path("<str:code>/io/", views_io.page, name="io"),
    path("<str:code>/io/<str:kind>/preview/", views_io.preview, name="io_preview"),
    path("<str:code>/io/uploads/<int:pk>/", views_io.run_detail, name="io_run"),
    path("<str:code>/io/uploads/<int:pk>/confirm/", views_io.confirm, name="io_confirm"),
    path("<str:code>/io/template.xlsx", views_io.template, name="io_template"),
    path("<str:code>/io/export.xlsx", views_io.export_tree, name="io_export_tree"),
    path("<str:code>/io/export.geojson", views_io.export_boundaries, name="io_export_boundaries"),
]
