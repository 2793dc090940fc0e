"""`python -m phasemod ...`: the same CLI as the `phasemod` script."""
from phasemod.runner import main

if __name__ == "__main__":
    main()
