"""Development tools: ``python tools/<tool>.py``, never installed with the package.

``bench`` (``make bench``), ``docs`` (``make docs`` / ``make docs-check``) and the two refresh
tools of the vendored Azure type data. A package so that the tests import them
(``from tools import docs``); each also runs as a script from a checkout with hlz installed.
"""
