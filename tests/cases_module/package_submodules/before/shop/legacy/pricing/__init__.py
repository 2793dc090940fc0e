from .rules import Rule
