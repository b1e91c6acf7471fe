"""catalogue: what merchants sell (offerings: group-buy deals, products, services, jobs), their
photos and their stock (bucketed counters moved only by conditional updates, catalogue.stock)."""
