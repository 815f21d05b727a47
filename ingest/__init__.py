"""ingest: bytes -> validated tables (uploads, official files); the one text toolkit."""
