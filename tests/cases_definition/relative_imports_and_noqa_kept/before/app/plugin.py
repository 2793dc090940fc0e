from app.core.old import dump, json

out = json.dumps(dump({}))
