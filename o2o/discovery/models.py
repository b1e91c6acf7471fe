"""The discovery index: one lean row per store, kept by explicit service calls.

It carries only what the hot nearby query reads (position, H3 cells, filter columns, opening hours
in a compact form) so the query never joins; anything that must be live (merchant status, stock,
ratings) is checked again on the few rows a page shows.
"""

from django.db import models

# H3 resolutions stored per place; the query picks one by local density (see geo.plan).
RESOLUTIONS = (6, 8, 10, 12)


class Place(models.Model):
    store = models.OneToOneField("merchants.Store", primary_key=True, on_delete=models.CASCADE,
                                 related_name="discovery_place", db_constraint=False)
    merchant_id = models.UUIDField(db_index=True)
    category = models.CharField(max_length=20)
    visible = models.BooleanField(default=True)
    lat = models.FloatField()
    lng = models.FloatField()
    h3_r6 = models.BigIntegerField()
    h3_r8 = models.BigIntegerField()
    h3_r10 = models.BigIntegerField()
    h3_r12 = models.BigIntegerField()
    # normalised searchable text: store name, merchant name, category labels (en + zh), address
    text = models.TextField(blank=True)
    tz = models.CharField(max_length=64)
    # opening hours as local minute-of-week intervals "start-end,..." (see o2o.discovery.openness)
    week = models.TextField(blank=True)
    closed = models.TextField(blank=True)  # closed dates, comma separated ISO dates
    # hours of the week the weekly hours open at no minute (openness.closed_hours): SQL drops those rows
    # from an open-now search; 0 (unknown) drops nothing
    closed_h0 = models.BigIntegerField(default=0)
    closed_h1 = models.BigIntegerField(default=0)
    closed_h2 = models.BigIntegerField(default=0)
    popularity = models.PositiveIntegerField(default=0)  # redemptions in the last 30 days

    class Meta:
        indexes = [models.Index(fields=[f"h3_r{r}", "category"], name=f"disc_place_r{r}") for r in RESOLUTIONS]


# PostgreSQL only (migrations 0002 and 0003, and discovery_reindex): covering indexes for every
# resolution, so the cell query is an index-only scan reading a few adjacent index pages.
COVERING_INDEXES = {
    f"disc_place_r{r}_cover": (f"h3_r{r}, category",
                               "visible, lat, lng, store_id, tz, week, closed, closed_h0, closed_h1, closed_h2")
    for r in (6, 8, 10, 12)  # migrations 0002, 0003 and 0004
}


class DensityCell(models.Model):
    """Visible places per H3 res-7 cell (about 5 km²), per category ("" = all): lets a query pick
    its resolution from the rows its SQL will return there.

    Only speed depends on it, never results; refreshed by the reindex and popularity commands.
    """

    cell = models.BigIntegerField()
    category = models.CharField(max_length=20, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "category"], name="disc_density_cell_category")]


class Word(models.Model):
    """Distinct English words of indexed text (5+ letters): the targets of typo-tolerant matching."""

    word = models.CharField(max_length=64, primary_key=True)
