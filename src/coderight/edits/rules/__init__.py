"""The edit catalog: every rule class, in report order.

Each module holds one rule or a few tightly related ones; `ALL_RULES` is the catalog that the
engine runs and `coderight rules list` prints.
"""

from __future__ import annotations

from ..base import Rule
from .global_surgery import EmInGlobalPeriod
from .linkage import NoSupportingDiagnosis, PlaceOfService, PointerMissingDiagnosis
from .mce import (
    AgeConflict,
    Excludes1Pair,
    ManifestationFirst,
    MceNotLoaded,
    SexConflict,
    UnacceptablePrincipal,
)
from .modifiers import (
    Bilateral,
    DuplicateLine,
    Modifier25,
    Modifier59,
    ProfessionalTechnical,
    UnknownModifier,
)
from .mue import MueExceeded
from .ncci import AddOnWithoutPrimary, EditsNotLoaded, PtpEdit
from .validity import (
    CptStatus,
    HcpcsNotValidOnDate,
    IcdHeader,
    IcdNotValidOnDate,
    IcdSeventh,
    IcdValidityUnknown,
)

ALL_RULES: tuple[type[Rule], ...] = (
    # structure and linkage
    PlaceOfService, NoSupportingDiagnosis, PointerMissingDiagnosis,
    # validity on the date of service
    IcdNotValidOnDate, IcdHeader, IcdSeventh, IcdValidityUnknown, HcpcsNotValidOnDate, CptStatus,
    # MCE-style diagnosis edits
    SexConflict, AgeConflict, ManifestationFirst, UnacceptablePrincipal, Excludes1Pair, MceNotLoaded,
    # NCCI
    EditsNotLoaded, PtpEdit, MueExceeded, AddOnWithoutPrimary,
    # modifiers
    Modifier25, Modifier59, Bilateral, ProfessionalTechnical, UnknownModifier, DuplicateLine,
    # global surgery
    EmInGlobalPeriod,
)

BY_ID: dict[str, type[Rule]] = {r.id: r for r in ALL_RULES}
assert len(BY_ID) == len(ALL_RULES), "duplicate rule id"


def get(rule_id: str) -> type[Rule]:
    try:
        return BY_ID[rule_id.upper()]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(BY_ID)}") from None
