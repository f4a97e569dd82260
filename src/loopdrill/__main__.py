"""`python -m loopdrill`."""

from loopdrill.cli import main

main()
