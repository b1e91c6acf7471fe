"""audit: the append-only audit log every layer writes to (audit.services.audit_record) and the
request context it records (client address, request id). Sits just above core: it never asks who
owns what (the merchant's own log is read through merchants.audit_log)."""
