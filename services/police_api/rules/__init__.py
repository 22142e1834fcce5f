"""The police guidance (DOMAIN.md section 3) as pure functions: no FastAPI, no database.

Where each rule id lives:
- P-101              classification.check_classification
- P-INCIDENT         incident.incident_paths_followed
- P-PPU              ppu.children_to_notify, ppu.unacknowledged_notifications
- P-CRIME            crime.crime_recording_deadline, crime.recorded_late, crime.crime_decision_overdue,
                     crime.check_crime_victim, crime.victims_without_crime, links.derive_link_role
- P-THIRD-PARTY      crime.crime_basis, crime.check_crime_basis
- P-N100             crime.crime_related_incident_code
- P-OFFENCES         offences.check_offence_code, offences.age_status
- P-AGE-OF-RESPONSIBILITY links.check_link_role, outcomes.age_of_responsibility_violations
- P-REPEAT           repeat.repeat_finding
- P-ROUTE            route.compute_route, route.check_route_choice, route.check_scpo_route_activity,
                     links.link_involves_adult (the report contract's "adult involved")
- P-FULL-INVESTIGATION route.full_investigation_reasons, route.reported_indicators, route.check_finding_decision
- P-OUTCOME21        outcomes.outcome21_violations
- P-OUTCOME22        outcomes.outcome22_violations
- P-NO-CRIMINALISE   outcomes.no_criminalise_violations
- P-NOTICE           notice.young_person_notice, notice.check_notice_given
- P-TRIAGE           triage.proposed_priority

docs/police-workflow.md holds the full table, which tests/school_api/rules/test_every_rule_is_implemented.py reads.
"""
