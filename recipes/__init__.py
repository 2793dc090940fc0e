"""The built-in recipes, one per module, found by walking this package
(phasemod.catalog); a user recipe is named ``package.module:name``.

Each module defines one ``phasemod.recipe.Recipe`` subclass. A recipe builds an
unexecuted Bowler ``Query`` (or a text transform, or a file plan) from its options; it
never chooses files, writes, prompts or runs itself. See docs/recipes/writing.md.
"""
