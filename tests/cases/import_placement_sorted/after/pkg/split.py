"""A sorted block: the new import goes to its sorted place."""
import os
import sys

from pkg.aaa import A
from pkg.b_new import New as Old  # the moved class
from pkg.mmm import M
from pkg.old_mod import (
    LIMIT,
)
from pkg.zzz import Z

x = Old(LIMIT, A, M, Z, os, sys)
