from app.core.old import json
from app.io.serial import dump

out = json.dumps(dump({}))
