"""Pelican-facing build orchestration (the domain rules are in yingkou_archive)."""
