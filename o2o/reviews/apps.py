from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "o2o.reviews"
    label = "reviews"
