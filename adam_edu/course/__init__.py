"""Course tooling: re-executing notebooks, generating exercises, building handouts.

Used by maintainers and instructors through the ``adam-edu`` command; never imported by the core.
"""
