"""Sample repository used by `phasemod demo` (package data)."""
