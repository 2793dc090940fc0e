from pkg.old_mod import *  # noqa: F403

x = Old()
