"""Ordering for restaurants and shops: pickup orders in slots, tables with their QR and tabs, the
kitchen queue, and walk-in counter sales, all on the per-store stock of catalogue products."""
