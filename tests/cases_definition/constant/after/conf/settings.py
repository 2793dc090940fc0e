"""Settings."""
# TIMEOUT moved to conf.limits; kept importable from here for code not yet migrated.
from conf.limits import TIMEOUT  # noqa: F401

RETRIES = 3
