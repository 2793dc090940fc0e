from .old_mod import Old

x = Old()
