"""mission_critical package."""
