"""`python -m server`: the same as the `playground` command."""

from server.cli import main

if __name__ == "__main__":
    main()
