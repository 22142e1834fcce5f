"""The guidance as pure functions: no FastAPI, no database. One function per rule id (DOMAIN.md).

| rule          | function                                  |
|---------------|-------------------------------------------|
| S-SEARCH      | rules.search.s_search                     |
| S-IMAGE       | rules.image.s_image                       |
| S-DSL         | rules.dsl.s_dsl                           |
| S-RECORD      | rules.record.s_record                     |
| S-IMMEDIATE   | rules.assessment.s_immediate              |
| S-FACTORS     | rules.assessment.s_factors                |
| S-TYPOLOGY    | rules.assessment.s_typology               |
| S-POLICE      | rules.decision.s_police                   |
| S-PARENTS     | rules.decision.s_parents                  |
| S-CHILD-FIRST | rules.child_first.s_child_first           |
| S-REVIEW      | rules.review.s_review                     |

`rules.assessment.recommend` combines S-IMMEDIATE, S-FACTORS, S-TYPOLOGY and S-POLICE into the
recommendation; `rules.facts` derives what the record already says; `rules.lifecycle` is the status
machine. Every function returns the unmet conditions as `RuleViolation`s (empty list: allowed).
"""
