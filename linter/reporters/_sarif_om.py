"""sarif-om, one class module at a time.

`import sarif_om` runs its __init__, which imports all 53 generated modules, each defining
an attrs class: most of the cost of SARIF output's start-up, for the ~20 classes a report
uses. Every one of those modules imports only `attr`, and __init__ only re-exports them
(`from sarif_om._result import Result`, one line per class). So the package is set up
without running __init__: its lines are read to map each class to its module, and a
class's module is imported when the class is first used. `om.Result` and
`from sarif_om import Result` (anywhere, once this ran) give sarif-om's own classes.
If sarif_om is already imported, or its __init__ is not that plain list, the real
package is imported as usual.
"""
from __future__ import annotations

import importlib
import re
import sys
import types

_LINE = re.compile(r"from sarif_om\.(_\w+) import (\w+)\s*")


def load():
    if "sarif_om" in sys.modules:
        return sys.modules["sarif_om"]
    import importlib.util

    spec = importlib.util.find_spec("sarif_om")
    classes = _classes(spec)
    if classes is None:
        return importlib.import_module("sarif_om")
    package = types.ModuleType("sarif_om", "sarif-om, its class modules imported on first use")
    package.__spec__ = spec
    package.__path__ = list(spec.submodule_search_locations)
    package.__file__ = spec.origin
    package.__package__ = "sarif_om"
    package.__all__ = sorted(classes)

    def __getattr__(name):
        module = classes.get(name)
        if module is None:
            raise AttributeError(f"module 'sarif_om' has no attribute {name!r}")
        # __import__, not importlib.import_module: the same import, and -X importtime shows it
        value = getattr(__import__(f"sarif_om.{module}", fromlist=[name]), name)
        setattr(package, name, value)
        return value

    package.__getattr__ = __getattr__
    sys.modules["sarif_om"] = package
    return package


def _classes(spec):
    """{class name: module} from sarif_om/__init__.py, or None if it holds anything else."""
    if spec is None or not spec.origin or not spec.submodule_search_locations:
        return None
    try:
        with open(spec.origin, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    classes = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.fullmatch(line)
        if m is None:
            return None
        classes[m.group(2)] = m.group(1)
    return classes or None


om = load()
