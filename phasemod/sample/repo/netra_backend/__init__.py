"""netra_backend package."""
