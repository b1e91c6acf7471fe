from django.utils.translation import gettext_lazy

from o2o.core.errors import BadRequest, Conflict, Invalid, NotFound


class NotEnoughPoints(Conflict):
    code, default_message = "not_enough_points", gettext_lazy("Not enough points on this member card.")


class BadPoints(Invalid):
    code, default_message = "bad_points", gettext_lazy("Points must be a whole number above zero.")


class PointsAlreadyBooked(Conflict):
    code, default_message = "points_already_booked", gettext_lazy("These points were already booked.")


class CouponNotFound(NotFound):
    code, default_message = "coupon_not_found", gettext_lazy("No such coupon.")


class CouponExpired(Conflict):
    code, default_message = "coupon_expired", gettext_lazy("This coupon has expired.")


class CouponNotYetValid(Conflict):
    code, default_message = "coupon_not_yet_valid", gettext_lazy("This coupon cannot be used yet.")


class CouponUsedUp(Conflict):
    code, default_message = "coupon_used_up", gettext_lazy("All of these coupons have been claimed.")


class CouponLimitReached(Conflict):
    code, default_message = "coupon_limit_reached", gettext_lazy("You already have as many of this coupon as allowed.")


class CouponAlreadyUsed(Conflict):
    code, default_message = "coupon_already_used", gettext_lazy("You have already used this coupon.")


class CouponMinSpend(Conflict):
    code, default_message = "coupon_min_spend", gettext_lazy("The order does not reach this coupon's minimum spend.")


class CouponNotApplicable(Conflict):
    code, default_message = "coupon_not_applicable", gettext_lazy("This coupon does not apply to this order.")


class CouponNotStackable(Conflict):
    code, default_message = "coupon_not_stackable", gettext_lazy("This coupon cannot be combined with points.")


class PointsTooMany(Invalid):
    code, default_message = "points_too_many", gettext_lazy("These points are worth more than the order.")


class InvalidMemberCard(BadRequest):
    code, default_message = "invalid_member_card", gettext_lazy("This QR code is not a genuine member card.")
