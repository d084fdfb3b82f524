"""The package's public surface stays what we mean it to be."""

from __future__ import annotations

import subprocess
import sys

import gateway


def test_exported_members() -> None:
    """`gateway.__all__` lists exactly the curated public names, and each is importable."""
    assert set(gateway.__all__) == {
        "Finding",
        "GatewayError",
        "MessageKind",
        "ValidationResult",
        "__version__",
        "inspect",
        "validate",
    }
    for name in gateway.__all__:
        assert getattr(gateway, name) is not None


def test_errors_share_one_root() -> None:
    """Every exception class in gateway.errors derives from GatewayError."""
    from gateway import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.GatewayError)


def test_importing_gateway_is_light() -> None:
    """`import gateway` does not drag in the web framework, the database layer or the workers."""
    code = "import sys, gateway; print(sorted(m for m in ('fastapi', 'sqlalchemy', 'workers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_gateway_runs_the_cli() -> None:
    """`python -m gateway --help` prints the command line's help."""
    out = subprocess.run([sys.executable, "-m", "gateway", "--help"], capture_output=True, text=True, check=True)
    assert "validate" in out.stdout
