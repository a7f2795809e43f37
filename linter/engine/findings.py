"""What a rule reports: findings, their severities and structured suggestions."""
from __future__ import annotations

from dockerslim_lint.records import field, record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Optional

    from dockerslim_lint.fix.edits import Fix

# Ordered from most to least severe; the index is the rank.
SEVERITIES = ("error", "warning", "info")


def severity_rank(severity: str) -> int:
    """Lower is more severe. 'none' (a threshold only) ranks below every severity."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def fmt_mb(mb: Optional[float], about: bool = True) -> str:
    """`about 861 MB`, `about 2.3 MB`, `about 1.1 GB` (sizes are estimates)."""
    if mb is None:
        return "unknown size"
    prefix = "about " if about else ""
    if mb >= 1000:
        return f"{prefix}{mb / 1000:.1f} GB"
    if mb >= 10:
        return f"{prefix}{round(mb):.0f} MB"
    return f"{prefix}{mb:.1f} MB".replace(".0 MB", " MB")


# What the user does with the suggested image, per rule family (docs/suggestions.md).
ACTIONS = ("build in a separate stage and ship", "move the build out of the runtime stages and ship", "ship")


@record(frozen=True)
class Suggestion:
    """The runtime image to ship instead, or none, with the one clause that says why.

    Computed once per file by the model layer (dockerslim_lint.model.suggest) from the
    needs of the shipped program and what images provide; every finding of a file that
    carries a suggestion carries this same object. `image` is None when no image is known
    to run the program; `reason` then says why in one clause. Sizes are uncompressed
    on-disk MB (what `docker images` shows), approximate. `fix_safe` is true only where
    swapping the base reference alone gives a working image (docs/suggestions.md).
    """

    image: Optional[str]
    reason: str = ""
    action: str = "ship"
    image_size_mb: Optional[float] = None
    current_size_mb: Optional[float] = None
    fix_safe: bool = False
    # What the fix replaces: the base reference text as written on the FROM line.
    replaces: Optional[str] = None
    replace_line: Optional[int] = None
    replace_column: Optional[int] = None

    @property
    def saving_mb(self) -> Optional[float]:
        if self.image_size_mb is None or self.current_size_mb is None:
            return None
        return max(self.current_size_mb - self.image_size_mb, 0.0)

    @property
    def text(self) -> str:
        """One line: `ACTION IMAGE (reason): about 890 MB -> 2.3 MB`, or `no image suggested: reason`."""
        if self.image is None:
            return f"no image suggested: {self.reason}" if self.reason else "no image suggested"
        out = f"{self.action} {self.image}"
        if self.reason:
            out += f" ({self.reason})"
        if self.image_size_mb is not None and self.current_size_mb is not None:
            out += f": {fmt_mb(self.current_size_mb)} -> {fmt_mb(self.image_size_mb, about=False)}"
        elif self.image_size_mb is not None:
            out += f": {fmt_mb(self.image_size_mb)}"
        return out

    def as_dict(self) -> dict:
        return {
            "image": self.image,
            "reason": self.reason,
            "action": self.action,
            "text": self.text,
            "image_size_mb": self.image_size_mb,
            "current_size_mb": self.current_size_mb,
            "saving_mb": self.saving_mb,
            "fix_safe": self.fix_safe,
        }


@record
class Finding:
    """One problem a rule found at a line of a file."""

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


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, for evidence quoted in a message."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def short_reference(text: str, limit: int = 60) -> str:
    """An image reference as messages show it: a digest cut to 12 hex digits, and a reference
    still longer than `limit` cut in the middle, so that a message stays one short line."""
    if "@sha" in text:  # (most references carry no digest: the pattern cannot match them)
        import re

        text = re.sub(r"(@sha\d+:[0-9a-fA-F]{12})[0-9a-fA-F]+", r"\1…", text)
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return text[:keep] + "…" + text[-(limit - 1 - keep):]
