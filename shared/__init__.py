"""What both services need and nothing more: tokens, problems, database, audit, logging, HTTP guards.

Nothing in here knows about incidents, crimes or the guidance; the services own their domains.
"""
