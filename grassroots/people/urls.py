from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("area/<str:code>/", views.area_register, name="area"),
    path("grid/<str:code>/", views.area_register, name="grid"),
    path("area/<str:code>/export.xlsx", views.export, name="export"),
    path("area/<str:code>/households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", views.household_move, name="household_move"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:pk>/residents/new/", views.resident_new, name="resident_new"),
    path("households/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move/", views.resident_move, name="resident_move"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/labels/", views.label_set, name="label_set"),
    path("residents/<int:pk>/labels/<str:kind>/remove/", views.label_remove, name="label_remove"),
    path("residents/<int:pk>/services/new/", views.service_new, name="service_new"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("visits/due/", views.visits_due, name="visits_due"),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("services/", views.service_list, name="services"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("places/", views.place_list, name="places"),
    path("places/new/", views.place_new, name="place_new"),
    path("places/<int:pk>/", views.place_detail, name="place"),
    path("places/<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("places/<int:pk>/reveal/", views.place_reveal, name="place_reveal"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
]
