"""Import of old Excel and CSV logs into ordinary records (DESIGN.md "Old logs").

The steps, each a module:

``readers``   XLSX (every sheet, merged cells filled) and CSV (UTF-8 or Windows-1252, ``;`` or
              ``,``) into :class:`~fieldapp.imports.readers.Sheet` rows of cell values.
``parse``     one cell at a time: dates, time ranges, counts (documented rules, no guessing of
              numbers).
``matching``  old names of places, categories, partners and kinds to the app's, with rapidfuzz;
              every match has a certainty and an uncertain one is a question.
``mapping``   which column is what, the name matches and the rules, as a JSON document that a
              person confirms; saved as a profile or a file.
``plan``      source rows into planned shifts, observations and meetings with stable ids, or
              refused with a reason.
``apply``     the preview (nothing written) and the apply (one transaction through the
              services), the retention count and the refused-rows CSV.
``command``   ``fieldapp import``.

Qt-free: imports only fieldapp.domain, fieldapp.store, fieldapp.i18n, fieldapp.paths and
libraries.
"""
