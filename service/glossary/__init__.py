"""The glossary API: each newsroom's entries (per tenant) on top of config/glossary.toml."""
