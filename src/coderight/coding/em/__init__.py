"""E/M leveling by medical decision making or time, with each element's evidence.

Entry point: `level_em(note, setting, billed=None, payer="medicare", codebook=None)` → `EmResult`
(`to_dict()` for JSON). Modules: `codes` (families, time thresholds, prolonged services),
`mdm` (problems, data, risk, two of three), `engine` (family, time, level), `billed`
(comparison with what was billed, priced from the PFS), `note` (evidence search over the NLP
`Document`).
"""

from .billed import compare
from .codes import FAMILIES, family_of, label, prolonged_for, time_level
from .engine import EmResult, documented_time, level_em
from .mdm import Element, Item, mdm_level

__all__ = ["FAMILIES", "Element", "EmResult", "Item", "compare", "documented_time", "family_of", "label",
           "level_em", "mdm_level", "prolonged_for", "time_level"]
