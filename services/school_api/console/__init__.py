"""The DSL's console: server-rendered pages over the school API (docs/console.md)."""
