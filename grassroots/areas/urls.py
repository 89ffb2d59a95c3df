from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<str:code>/", views.detail, name="detail"),
    # Import / export: administrators of the area.
    path("<str:code>/io/", views.import_export_page, name="io"),
    path("<str:code>/io/<str:kind>/preview/", views.import_preview, name="io_preview"),
    path("<str:code>/io/uploads/<int:pk>/", views.import_run, name="io_run"),
    path("<str:code>/io/uploads/<int:pk>/confirm/", views.import_confirm, name="io_confirm"),
    path("<str:code>/io/template.xlsx", views.tree_template, name="io_template"),
    path("<str:code>/io/export.xlsx", views.tree_export, name="io_export_tree"),
    path("<str:code>/io/export.geojson", views.boundaries_export, name="io_export_boundaries"),
]
