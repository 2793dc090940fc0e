from pkg.new_mod import New


class OldFactory:
    pass


def run(obj):
    obj.Old = 1
    value = obj.settings.Old
    options = dict(Old="threaded")
    return New(), OldFactory(), UserOld, Old_config, value, options
