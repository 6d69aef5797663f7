"""Khulasa: Arabic news digests."""

__version__ = "0.1.0"
