import sys

if sys.version_info >= (3,): from pkg.old_mod import Other; from pkg.new_mod import New as Old

x = Old(Other)
