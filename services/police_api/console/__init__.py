"""The officers' console: server-rendered pages over the police API (docs/console.md)."""
