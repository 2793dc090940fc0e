from pkg.old_mod import LIMIT, Old, Other

x = Old(LIMIT, Other)
