"""Discovery for integrators: what this server accepts and can do (GET /v1/capabilities)."""
