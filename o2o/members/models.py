from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.members.enums import (
    ClaimStatus,
    CouponKind,
    CouponStatus,
    ReferralStatus,
    RefundRule,
    TeamMemberStatus,
    TeamStatus,
    TierBasis,
)


class Membership(BaseModel):
    """A customer's member card at one merchant. `balance` is a cache of the ledger's sum, kept in the same
    transaction as each ledger row and changed only by conditional UPDATE (never below zero)."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="member_cards")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member_cards")
    balance = models.IntegerField(_("points"), default=0)
    tier = models.ForeignKey("members.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="cards",
                             verbose_name=_("tier"))
    referral_code = models.CharField(_("referral code"), max_length=16, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "customer"], name="one_card_per_merchant"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_never_below_zero"),
        ]


class PointsKind(models.TextChoices):
    EARN = "earn", _("earned")
    SPEND = "spend", _("spent")
    REVERSE = "reverse", _("reversed on refund")
    EXPIRE = "expire", _("expired")


class PointsEntry(models.Model):
    """Append-only points ledger: one signed row per change; rows are never updated or deleted.
    A positive row may carry `expires_at`: points are used first-to-expire first, and what is left of
    them at that time is taken away by an `expire` row (members.services.points_expire_due)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=PointsKind.choices)
    points = models.IntegerField(_("points"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind", "reference"], condition=~models.Q(reference=""),
                                    name="points_once_per_reference"),
        ]


class LoyaltyProgram(models.Model):
    """A merchant's points rules; a merchant without a row has the defaults."""

    merchant = models.OneToOneField("merchants.Merchant", on_delete=models.PROTECT, primary_key=True,
                                    related_name="loyalty_program")
    earn_per_unit = models.DecimalField(_("points per unit of money paid"), max_digits=8, decimal_places=2,
                                        default=Decimal("1"))
    point_value = models.DecimalField(_("value of one point"), max_digits=8, decimal_places=4,
                                      default=Decimal("0.01"))
    expiry_days = models.PositiveIntegerField(_("points expire after (days)"), default=365)
    tier_basis = models.CharField(_("tiers by"), max_length=8, choices=TierBasis.choices, default=TierBasis.SPEND)
    tier_window_days = models.PositiveIntegerField(_("tiers count the last (days)"), default=365)
    referrer_points = models.PositiveIntegerField(_("points for the referrer"), default=0)
    referred_points = models.PositiveIntegerField(_("points for the new customer"), default=0)

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")


class Coupon(BaseModel):
    """A merchant's coupon: customers claim it (total and per-customer limits, counted by conditional
    UPDATE and a unique claim number), then an order uses a claim as an adjustment line."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="coupons")
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=140)
    kind = models.CharField(_("kind"), max_length=16, choices=CouponKind.choices)
    amount = models.DecimalField(_("amount off"), max_digits=14, decimal_places=2, null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    max_discount = models.DecimalField(_("at most off"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    min_spend = models.DecimalField(_("minimum spend"), max_digits=14, decimal_places=2, default=Decimal("0"))
    offerings = models.ManyToManyField("catalogue.Offering", blank=True, related_name="+")
    stores = models.ManyToManyField("merchants.Store", blank=True, related_name="+")
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    total_limit = models.PositiveIntegerField(_("coupons in all"), null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(_("per customer"), default=1)
    claimed_count = models.PositiveIntegerField(default=0)
    stacks_with_points = models.BooleanField(_("stacks with points"), default=True)
    stacks_with_member_price = models.BooleanField(_("stacks with member prices"), default=True)
    refund_rule = models.CharField(_("on refund"), max_length=16, choices=RefundRule.choices,
                                   default=RefundRule.RETURN)
    status = models.CharField(_("status"), max_length=16, choices=CouponStatus.choices, default=CouponStatus.ACTIVE)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="coupon_code_per_merchant"),
            models.CheckConstraint(condition=models.Q(total_limit__isnull=True)
                                   | models.Q(claimed_count__lte=models.F("total_limit")),
                                   name="coupon_never_over_claimed"),
        ]


class CouponClaim(BaseModel):
    """One coupon in a customer's wallet. `seq` numbers the customer's claims of a coupon from 1 to its
    per-customer limit: the unique (coupon, customer, seq) keeps the limit under concurrency."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="claims")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupon_claims")
    seq = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.AVAILABLE)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("claimed coupon")
        verbose_name_plural = _("claimed coupons")
        constraints = [
            models.UniqueConstraint(fields=["coupon", "customer", "seq"], name="coupon_claim_seq"),
        ]


class CouponClaimEvent(StatusEventBase):
    claim = models.ForeignKey(CouponClaim, on_delete=models.PROTECT, related_name="events")


class Tier(BaseModel):
    """A membership tier of a merchant: a card is in the highest tier whose `threshold` its qualifying
    value reaches (points earned or money spent over the programme's rolling window, less refunds)."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="member_tiers")
    name = models.CharField(_("name"), max_length=60)
    threshold = models.DecimalField(_("from"), max_digits=14, decimal_places=2)
    points_multiplier = models.DecimalField(_("points multiplier"), max_digits=5, decimal_places=2,
                                            default=Decimal("1"))
    member_discount_percent = models.PositiveSmallIntegerField(_("member price: percent off"), default=0)

    class Meta:
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")
        ordering = ["merchant", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "threshold"], name="one_tier_per_threshold"),
            models.CheckConstraint(condition=models.Q(member_discount_percent__lte=90), name="tier_discount_at_most_90"),
        ]

    def __str__(self) -> str:
        return self.name


class TierChange(StatusEventBase):
    """A card's move between tiers (from/to are tier names, '' for none)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="tier_changes")


class Referral(BaseModel):
    """A new customer brought by a member's referral code. One per (merchant, new customer); rewarded once,
    on the new customer's first paid order there, and reversed if that order is refunded in full."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    referred = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_taken")
    status = models.CharField(_("status"), max_length=16, choices=ReferralStatus.choices,
                              default=ReferralStatus.PENDING)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    referrer_points = models.PositiveIntegerField(default=0)
    referred_points = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "referred"], name="referred_once_per_merchant"),
            models.CheckConstraint(condition=~models.Q(referrer=models.F("referred")), name="no_self_referral"),
        ]


class ReferralEvent(StatusEventBase):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")


class TeamDeal(BaseModel):
    """A deal sold to teams (拼团): a team of `team_size` buyers must all pay within `hours` of its opening."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="team_deals")
    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="team_deals")
    team_size = models.PositiveSmallIntegerField(_("team size"))
    hours = models.PositiveSmallIntegerField(_("hours to fill a team"))
    active = models.BooleanField(_("open for new teams"), default=True)

    class Meta:
        verbose_name = _("team deal")
        verbose_name_plural = _("team deals")


class Team(BaseModel):
    """One team of a team deal. `seats` counts members holding a place (unpaid within their hold, or paid),
    raised only by a conditional UPDATE (seats < size) and checked by the database: never more than `size`."""

    deal = models.ForeignKey(TeamDeal, on_delete=models.PROTECT, related_name="teams")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveSmallIntegerField()
    seats = models.PositiveSmallIntegerField(default=0)
    paid = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=16, choices=TeamStatus.choices, default=TeamStatus.OPEN,
                              db_index=True)
    expires_at = models.DateTimeField(_("closes at"), db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__lte=models.F("size")), name="team_never_over_size"),
            models.CheckConstraint(condition=models.Q(paid__lte=models.F("seats")), name="team_paid_within_seats"),
        ]


class TeamEvent(StatusEventBase):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="events")


class TeamMember(BaseModel):
    """A buyer in a team, with the order that pays for their place (fulfilment `team`)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="team_member")
    status = models.CharField(_("status"), max_length=16, choices=TeamMemberStatus.choices,
                              default=TeamMemberStatus.RESERVED, db_index=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "customer"], name="one_place_per_customer",
                                    condition=~models.Q(status__in=["released", "refunded"])),
        ]


class TeamMemberEvent(StatusEventBase):
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="events")
