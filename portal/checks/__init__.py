"""Quality gates over a built site: run ``python -m portal.checks OUTPUT`` (``make check``).

Each check module has one ``check(site)`` function returning Problems; ``__main__`` runs them.
"""
