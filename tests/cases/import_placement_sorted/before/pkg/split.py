"""A sorted block: the new import goes to its sorted place."""
import os
import sys

from pkg.aaa import A
from pkg.mmm import M
from pkg.old_mod import (
    LIMIT,
    Old,  # the moved class
)
from pkg.zzz import Z

x = Old(LIMIT, A, M, Z, os, sys)
