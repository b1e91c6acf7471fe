from django.utils.translation import gettext_lazy

from o2o.core.errors import Conflict, Invalid


class NotEnoughPoints(Conflict):
    code, default_message = "not_enough_points", gettext_lazy("Not enough points on this member card.")


class BadPoints(Invalid):
    code, default_message = "bad_points", gettext_lazy("Points must be a whole number above zero.")


class PointsAlreadyBooked(Conflict):
    code, default_message = "points_already_booked", gettext_lazy("These points were already booked.")
