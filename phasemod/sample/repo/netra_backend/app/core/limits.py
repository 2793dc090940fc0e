"""Platform limits (the single home of MAX_CONCURRENT_AGENTS)."""
MAX_CONCURRENT_AGENTS = 10
