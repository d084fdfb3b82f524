"""Alembic migrations of the store; shipped inside the package so a non-editable install can migrate."""
