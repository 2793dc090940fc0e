"""Backend unit tests (none in the sample yet)."""
