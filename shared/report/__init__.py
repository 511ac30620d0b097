"""The frozen year-end report: its keys, its French document and CSV, and its versions.

May import the domain modules, ``shared.storage`` and ``shared.publication.edition``.
"""
