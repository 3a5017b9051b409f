"""Klaster knowledge-graph library: store, ingest, reasoning and analytics.

Nothing here imports Flask; the CLI (:mod:`kg.cli`) and the web service (:mod:`service`) are thin
shells over this package.
"""

__version__ = "0.1.0"
