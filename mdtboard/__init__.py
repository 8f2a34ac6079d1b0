"""mdtboard: case manager for spine-oncology multidisciplinary tumour boards.

Decision support only: mdtboard records what the team decided and why; it
never orders treatment.
"""

__version__ = "0.1.0"
