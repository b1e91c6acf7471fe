"""api: the HTTP contract of /work/shared/API.md (django-ninja routers, schemas, error mapping,
idempotency). Above every domain app; no domain app imports it."""
