"""members: per-merchant member cards and the append-only points ledger (earn, spend, reverse on refund)."""
