"""HTTP routes of the sidecar (docs/sidecar-api.md)."""
