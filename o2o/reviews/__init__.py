"""reviews: verified reviews (only after a redemption) and merchants' replies."""
