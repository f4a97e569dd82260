"""`python -m loopdrill`."""

from loopdrill.entry import main

main()
