from pkg.old_mod import Old


class OldFactory:
    pass


def run(obj):
    obj.Old = 1
    value = obj.settings.Old
    options = dict(Old="threaded")
    return Old(), OldFactory(), UserOld, Old_config, value, options
