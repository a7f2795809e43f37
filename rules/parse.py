"""DSL001-DSL002: the file itself. The engine emits these from the parser's result
(a rule cannot run on a file that has no model); they are declared here so that
they are listed, documented, selectable and suppressible like every other rule."""
from dockerslim_lint.engine.rule import Rule


def _emitted_by_engine(model, context):
    return iter(())


RULES = [
    Rule("DSL001", "parse-error", "error",
         "The file cannot be read as a Dockerfile (empty, no instructions, an instruction before "
         "the first FROM, an unterminated heredoc).", _emitted_by_engine, TAGS=("correctness",)),
    Rule("DSL002", "not-utf8", "warning",
         "The file holds bytes that are not UTF-8.", _emitted_by_engine, TAGS=("correctness",)),
]
