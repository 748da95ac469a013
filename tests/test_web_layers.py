"""The review web app stands on the services: importing it loads no command-line module and
not Typer (it used to import aligner.cli.export_tei, and with it every command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOADED = """
import json, sys
import aligner.web.app
print(json.dumps(sorted(name for name in sys.modules
                        if name.split(".")[0] == "typer" or name.startswith("aligner.cli"))))
"""


def test_importing_the_web_app_loads_no_command_line_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert json.loads(result.stdout) == []
