"""The package's public surface stays what we mean it to be."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
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


def _exception_classes() -> list[type[BaseException]]:
    """Every exception class defined in a module of ``gateway`` or ``workers`` (migrations excepted)."""
    import workers

    found: list[type[BaseException]] = []
    for package in (gateway, workers):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in info.name or info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                    found.append(obj)
    return found


def test_errors_share_one_root() -> None:
    """Every exception class in the package, private ones too, derives from GatewayError."""
    from gateway.errors import GatewayError

    classes = _exception_classes()
    assert len(classes) >= 25  # the walk really reached the adapters, not only gateway.errors
    assert [c.__qualname__ for c in classes if not issubclass(c, GatewayError)] == []


def test_importing_gateway_is_light() -> None:
    """`import gateway` does not drag in the web framework, the database layer or the workers."""
    code = "import sys, gateway; print(sorted(m for m in ('fastapi', 'sqlalchemy', 'workers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_gateway_runs_the_cli() -> None:
    """`python -m gateway --help` prints the command line's help."""
    out = subprocess.run([sys.executable, "-m", "gateway", "--help"], capture_output=True, text=True, check=True)
    assert "validate" in out.stdout
