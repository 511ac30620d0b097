"""What a reader is shown: the French labels, statistical confidentiality, the anonymous
edition, figures across years, and CSV for French spreadsheets.

May import the domain modules, ``shared.storage`` and ``shared.pipeline`` (to read the live
figures).
"""
