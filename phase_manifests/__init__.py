"""The shipped phase manifests of the ExecutionEngine migration (package data)."""
