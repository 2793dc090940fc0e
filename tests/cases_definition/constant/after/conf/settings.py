"""Settings."""

# TIMEOUT moved to conf.limits; importable from here until migrated.
from conf.limits import TIMEOUT  # noqa: F401

RETRIES = 3
