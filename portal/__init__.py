"""Tools around the Pelican build: plain build errors, site checks and safe publishing."""
