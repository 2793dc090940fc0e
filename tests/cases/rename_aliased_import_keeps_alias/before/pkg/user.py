from pkg.old_mod import Old as Engine

x = Engine()
