from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "o2o.catalogue"
    label = "catalogue"
