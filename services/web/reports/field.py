"""What a frozen report's staff and funding figures cover, said in French beside them.

Those figures come from the validated declarations only (SPEC §4): every page, print and
CSV that shows them says how many declarations they rest on and which share of the active
structures that is — ``sur 412 déclarations validées, 85 % des structures actives`` (the
*field*, "le champ", ../shared/PUBLICATION.md). A report frozen before every active
structure had a validated declaration is *provisoire* (shared.declarations.figures
``is_complete``), and says so wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.web.formatting import format_count, format_percent
from shared.declarations.figures import is_complete
from shared.report.versions import Completeness


def coverage_percent(part: int, whole: int) -> str:
    """``part / whole`` as a whole percentage, with one decimal when the whole number would
    read 0 % or 100 % without being so (1 of 486 is ``0,2 %``, not ``0 %``)."""
    share = part / whole if whole else 0.0
    text = format_percent(share)
    if (text.startswith("0\u202f") and part) or (text.startswith("100\u202f") and part < whole):
        text = format_percent(share, 1)
    return text


@dataclass(frozen=True)
class ReportField:
    """The declarations a report's staff and funding figures rest on."""

    structures: int
    validated: int

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> ReportField:
        completeness = document["completeness"]
        return cls(int(completeness["structures"]), int(completeness["declarations_validated"]))

    @classmethod
    def of_version(cls, completeness: Completeness) -> ReportField:
        return cls(completeness.structures, completeness.declarations_validated)

    @property
    def complete(self) -> bool:
        return is_complete(self.structures, self.validated)

    @property
    def provisional(self) -> bool:
        return not self.complete

    @property
    def empty(self) -> bool:
        """No validated declaration: the staff and funding figures do not exist (n.d.)."""
        return self.validated == 0

    @property
    def percent(self) -> str:
        """The share of the active structures with a validated declaration: ``85 %``."""
        return coverage_percent(self.validated, self.structures)

    @property
    def declarations(self) -> str:
        """``412 déclarations validées`` (``1 déclaration validée``)."""
        return format_count(self.validated, "déclaration validée", "déclarations validées")

    @property
    def summary(self) -> str:
        """``412 déclarations validées, 85 % des structures actives``."""
        if self.empty:
            active = format_count(self.structures, "structure active", "structures actives")
            return f"aucune déclaration validée sur {active}"
        return f"{self.declarations}, {self.percent} des structures actives"

    @property
    def sentence(self) -> str:
        """What the staff and funding figures cover, to stand beside them:
        ``sur 412 déclarations validées, 85 % des structures actives``."""
        return self.summary if self.empty else f"sur {self.summary}"

    @property
    def status(self) -> str:
        """``provisoire`` or ``complet``, as the report's status reads."""
        return "provisoire" if self.provisional else "complet"

    @property
    def status_sentence(self) -> str:
        """The report's status with its completeness: ``Rapport provisoire : 412 déclarations
        validées sur 486 structures actives (85 %)``."""
        active = format_count(self.structures, "structure active", "structures actives")
        counts = f"{self.declarations} sur {active} ({self.percent})"
        if self.provisional:
            return f"Rapport provisoire : {counts}"
        return f"Rapport complet : {counts}"
