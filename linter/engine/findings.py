"""What a rule reports: findings, their severities and structured suggestions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from dockerslim_lint.fix.edits import Fix

# Ordered from most to least severe; the index is the rank.
SEVERITIES = ("error", "warning", "info")


def severity_rank(severity: str) -> int:
    """Lower is more severe. 'none' (a threshold only) ranks below every severity."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass(frozen=True)
class Suggestion:
    """A concrete replacement runtime image, with the sizes that make the case for it.

    Sizes are uncompressed on-disk MB (what `docker images` shows), approximate.
    `fix_safe` is true only where swapping the base reference alone gives a working
    image (RULES.md "Suggestions"): SARIF turns such suggestions into `fixes[]`.
    """

    image: str
    text: str
    image_size_mb: Optional[float] = None
    current_size_mb: Optional[float] = None
    saving_mb: Optional[float] = None
    fix_safe: bool = False
    # What the fix replaces: the base reference text as written on the FROM line.
    replaces: Optional[str] = None
    replace_line: Optional[int] = None
    replace_column: Optional[int] = None

    def as_dict(self) -> dict:
        return {
            "image": self.image,
            "text": self.text,
            "image_size_mb": self.image_size_mb,
            "current_size_mb": self.current_size_mb,
            "saving_mb": self.saving_mb,
            "fix_safe": self.fix_safe,
        }


@dataclass
class Finding:
    rule_id: str
    line: int
    message: str
    column: int = 1
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    suggestion: Optional[Suggestion] = None
    # Filled in by the engine, not by rules.
    severity: str = "warning"
    name: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict)
    # The edit that resolves this finding (dockerslim_lint.fix.edits.Fix), set by the rule.
    fix: Optional["Fix"] = None

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule_id)
