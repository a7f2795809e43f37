"""DSL001-DSL003: the file itself, and image references BuildKit cannot parse.

DSL001 and DSL002 are emitted by the engine from the parser's result (a rule cannot run
on a file that has no model); they are declared here so that they are listed,
documented, selectable and suppressible like every other rule.
"""
import functools
import re

from dockerslim_lint.engine.findings import Finding
from dockerslim_lint.engine.rule import Rule, rule


def _emitted_by_engine(model, context):
    return iter(())


# The grammar of github.com/distribution/reference (what BuildKit parses FROM with).
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = f"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"((?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)(?::({_TAG}))?(?:@({_DIGEST}))?",
                        re.ASCII)
# go-digest: the algorithms it knows and the exact length of their lower-case hex.
_DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s")  # in a str pattern, what str.isspace() calls white space
_NAME_MAX = 255


@functools.lru_cache(maxsize=1024)  # the same references recur across the files of a batch
def reference_problem(ref: str):
    """Why BuildKit rejects `ref` with `invalid reference format`, in a few words; None when
    it is valid. Follows reference.ParseNormalizedNamed: a first component with a `.` or `:`,
    `localhost`, or an upper-case letter is a registry host; the rest must be lower case."""
    if "\x00" in ref:
        return "a NUL byte"
    if _CONTROL.search(ref):
        return "a control character"
    if _SPACE.search(ref):
        return "a space"
    if re.fullmatch(r"[a-f0-9]{64}", ref):
        return "a 64-character hex string is not a repository name"
    slash = ref.find("/")
    first = ref[:slash] if slash >= 0 else ""
    if slash >= 0 and ("." in first or ":" in first or first == "localhost" or first.lower() != first):
        domain, remainder = first, ref[slash + 1:]
    else:
        domain, remainder = "docker.io", ref
    remote = remainder.split(":", 1)[0].split("@", 1)[0]
    if remote.lower() != remote:
        return "upper-case letters in the repository path"
    match = _REFERENCE.fullmatch(f"{domain}/{remainder}")
    if match is None:
        name_part, at, _ = remainder.partition("@")
        last = name_part.rsplit("/", 1)[-1]
        if ":" in last:
            tag = last.split(":", 1)[1]
            if not tag:
                return "an empty tag"
            if not re.fullmatch(_TAG, tag, re.ASCII):
                return "an invalid tag"
        if at:
            return "a malformed digest"
        return "characters not allowed in a repository path"
    if len(match.group(1)) > _NAME_MAX:
        return f"a repository name longer than {_NAME_MAX} characters"
    digest = match.group(3)
    if digest is not None:
        algorithm, _, hex_part = digest.partition(":")
        size = _DIGEST_HEX.get(algorithm)
        if size is None or len(hex_part) != size or hex_part.lower() != hex_part:
            return "a malformed digest"
    return None


def _shown(ref: str, limit: int = 60) -> str:
    from dockerslim_lint.reporters import escape

    text = escape(ref).replace("\t", "\\x09")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _with_placeholders(model, stage):
    """The FROM's reference with every empty ARG it uses (`ARG TAG=`) replaced by a plain
    value (`x`), or None when it uses none."""
    from dockerslim_lint.dockerfile.variables import expand

    ins = stage.from_instruction
    words = list(ins.args) if ins.args else ins.value.split()
    empty = {k for k, v in model.global_args.items() if v == ""}
    if not words or "$" not in words[0] or not empty:
        return None
    unset = {k: (None if k in empty else v) for k, v in model.global_args.items()}
    if not expand(words[0], unset)[1]:
        return None  # no empty ARG in this reference
    return expand(words[0], {k: ("x" if k in empty else v) for k, v in model.global_args.items()})[0]


@rule("DSL003", "invalid-image-reference", "error",
      "A FROM image reference is not a valid reference: BuildKit fails with `invalid reference format`.",
      tags=("correctness",))
def invalid_image_reference(model, context):
    for stage in model.stages:
        if stage.parent is not None or stage.base_unresolved:
            continue  # a stage reference, or a variable with no known value (unknown, never empty)
        problem = reference_problem(stage.base_text)
        if problem is None:
            continue
        placeholder = _with_placeholders(model, stage)
        if placeholder is not None:
            # An ARG with an empty default (`ARG TAG=`) is, like `ARG TAG`, meant to come from
            # --build-arg: judge the reference as if it had a value; wrong then, wrong always.
            problem = reference_problem(placeholder)
            if problem is None or problem == "a malformed digest":
                continue
        ins = stage.from_instruction
        yield Finding("DSL003", ins.start_line, f"`{_shown(stage.base_text)}` is not a valid image reference "
                      f"({problem})", column=ins.column)


RULES = [
    Rule("DSL001", "parse-error", "error",
         "The file cannot be read as a Dockerfile (empty, no instructions, an instruction before "
         "the first FROM, an unterminated heredoc).", _emitted_by_engine, TAGS=("correctness",)),
    Rule("DSL002", "not-utf8", "warning",
         "The file holds bytes that are not UTF-8.", _emitted_by_engine, TAGS=("correctness",)),
    invalid_image_reference,
]
