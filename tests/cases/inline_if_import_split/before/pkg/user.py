import sys

if sys.version_info >= (3,): from pkg.old_mod import Old, Other

x = Old(Other)
