import pathlib
import tempfile

# Each process of a run writes its schema-fuzz figures here, named after the run's controller (the
# pytest-xdist workers' parent, or the process itself); tests/conftest.py adds them up at the end.
FIGURES_DIR = pathlib.Path(tempfile.gettempdir()) / "schemathesis-figures"
