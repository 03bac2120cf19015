"""`lrviz explore`: the interactive terminal explorer (Textual) over lrviz's one pipeline.

The explorer never simulates on its own: a *draft* (:mod:`lrviz.explore.drafts`) turns the
fields' text into a Spec with the same builders as ``lrviz plot`` (flags or YAML), and
:mod:`lrviz.explore.pipeline` simulates, checks, saves and exports it with the same functions
as the commands. :mod:`lrviz.explore.app` is the Textual app; :mod:`lrviz.explore.chart` its
braille chart. Importing this package imports neither Textual, torch nor matplotlib.
"""
