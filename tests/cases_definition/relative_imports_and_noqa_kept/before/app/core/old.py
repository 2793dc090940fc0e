from ..compat import json  # noqa: F401  (re-exported for plugins)
from ..util import slug, strip
from . import sibling


def dump(obj):
    return json.dumps({slug(k): v for k, v in obj.items()}, default=sibling.default)


def clean(s):
    return strip(s)
