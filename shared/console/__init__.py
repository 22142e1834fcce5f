"""The consoles' shared framework: sessions, sign-in, CSRF, the in-process API client, forms, templates.

Each service mounts its own console pages (services/<service>/console/) on top of this; see docs/console.md.
"""
