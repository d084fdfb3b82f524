"""``python -m gateway`` runs the ``ketenpoort`` command line."""

from gateway.cli import main

main()
