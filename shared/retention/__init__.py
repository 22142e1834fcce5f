"""Retention as both services do it: legal holds, an incident's retention status, disposal, the job.

Each service keeps in its own `retention/` package what differs (its models, in its own metadata for
Alembic; its schedule from `rules/retention.py`; its tenant; what disposing of its records erases) and
describes it in one `IncidentRetention` (service.py). From that, this package answers:
- service.py: placing and lifting a hold, reading a file's status, disposing of a file;
- routes.py: GET /incidents/{id}/retention and POST /incidents/{id}/legal-hold[/lift];
- job.py: `school-api retention run` and `police-api retention run`;
- models.py and schemas.py: the columns and wire shapes that are the same in both.
docs/retention.md explains the schedules and the job.
"""
