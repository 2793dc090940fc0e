"""The module alias is bound twice: the use reads the second import."""
import pkg.old_mod as om
import pkg.new_mod as om

z = om.New()
