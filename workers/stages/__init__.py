"""The pipeline stages a worker runs; each is idempotent and decides, the store records."""
