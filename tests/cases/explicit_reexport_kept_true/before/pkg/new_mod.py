class New:
    pass
