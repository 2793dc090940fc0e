"""Settings."""
import os

# Seconds before a request gives up.
TIMEOUT = int(os.environ.get("APP_TIMEOUT", "30"))
RETRIES = 3
