"""folge: follow-up research (følgeforskning) on regional development programmes.

Data flow one way: instruments → responses → scores → statistics → criteria → reports.
The public faces are the ``folge`` command line and the subpackages
:mod:`folge.definitions`, :mod:`folge.statistics` and friends; ``analysis/ARCHITECTURE.md``
maps where everything lives and which way imports go.
"""

from ._errors import AnalysisError, DefinitionError, FolgeError, InputError, StoreError
from ._version import __version__

__all__ = [
    "AnalysisError",
    "DefinitionError",
    "FolgeError",
    "InputError",
    "StoreError",
    "__version__",
]
