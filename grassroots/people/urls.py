from django.urls import path

from .views import households, places, proxy, register, residents, reveal, transfer, visits

app_name = "people"
urlpatterns = [
    path("", register.home, name="home"),
    path("search/", register.search, name="search"),
    path("area/<str:code>/", register.area_register, name="area"),
    path("grid/<str:code>/", register.area_register, name="grid"),
    path("area/<str:code>/export.xlsx", transfer.export, name="export"),
    path("area/<str:code>/households/new/", households.household_new, name="household_new"),
    path("households/<int:pk>/", households.household_detail, name="household"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", households.household_move, name="household_move"),
    path("households/<int:pk>/reveal/", reveal.household_reveal, name="household_reveal"),
    path("households/<int:pk>/residents/new/", residents.resident_new, name="resident_new"),
    path("households/<int:pk>/visits/new/", visits.visit_new, name="visit_new"),
    path("residents/<int:pk>/", residents.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", residents.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move/", residents.resident_move, name="resident_move"),
    path("residents/<int:pk>/reveal/", reveal.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/labels/", residents.label_set, name="label_set"),
    path("residents/<int:pk>/labels/<str:kind>/remove/", residents.label_remove, name="label_remove"),
    path("residents/<int:pk>/services/new/", proxy.service_new, name="service_new"),
    path("duplicates/", register.duplicates, name="duplicates"),
    path("visits/due/", visits.visits_due, name="visits_due"),
    path("visits/photos/<int:pk>/", visits.visit_photo, name="visit_photo"),
    path("services/", proxy.service_list, name="services"),
    path("services/<int:pk>/", proxy.service_detail, name="service"),
    path("places/", places.place_list, name="places"),
    path("places/new/", places.place_new, name="place_new"),
    path("places/<int:pk>/", places.place_detail, name="place"),
    path("places/<int:pk>/edit/", places.place_edit, name="place_edit"),
    path("places/<int:pk>/reveal/", reveal.place_reveal, name="place_reveal"),
    path("import/", transfer.import_page, name="import"),
    path("import/template.xlsx", transfer.import_template, name="import_template"),
    path("import/<int:pk>/", transfer.import_detail, name="import_detail"),
]
