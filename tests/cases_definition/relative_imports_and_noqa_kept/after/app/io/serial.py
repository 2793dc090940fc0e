from ..compat import json
from ..util import slug
from ..core import sibling


def dump(obj):
    return json.dumps({slug(k): v for k, v in obj.items()}, default=sibling.default)
