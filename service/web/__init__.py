"""The editors' page: one self-contained HTML page at `/` that calls the digest API from the browser."""
