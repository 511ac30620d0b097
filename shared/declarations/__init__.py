"""Annual declarations ("ICARE", SPEC §5): staff and funding of a structure for a year.

A declaration is submitted by its structure (or an admin), then validated or
rejected by a validator of the structure's region (or an admin). The states:

    (none) --put--> submitted --validate--> validated
                    submitted --reject----> rejected --put--> submitted
                    validated --reject----> rejected   (a validation withdrawn, with a reason)

- ``fields``: what a declaration holds and the rules of its content;
- ``workflow``: who may do what, the state machine and its audit trail;
- ``figures``: what the validated declarations add to a consolidation, and completeness.
"""
