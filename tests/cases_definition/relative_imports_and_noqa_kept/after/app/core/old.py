from ..compat import json  # noqa: F401  (re-exported for plugins)
from ..util import strip
# dump moved to app.io.serial; importable from here until migrated.
from ..io.serial import dump  # noqa: F401


def clean(s):
    return strip(s)
