"""`petitions.selfservice` is split across two layers of the petitions contract (its views high, its link
low), so the contract ignores the package in its exhaustiveness check and names each module instead:
this test keeps that list whole, so a new module cannot slip past the layers."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_selfservice_module_has_its_own_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract.get("containers") == ["petitions"]
    )
    named = {
        name.strip()
        for layer in contract["layers"]
        for name in layer.replace("|", ":").split(":")
        if name.strip().startswith("selfservice.")
    }
    modules = {
        f"selfservice.{path.stem}"
        for path in (ROOT / "petitions" / "selfservice").glob("*.py")
        if path.stem != "__init__"
    }
    assert contract["exhaustive_ignores"] == ["selfservice"]
    assert modules == named
    assert modules == {"selfservice.links", "selfservice.changes", "selfservice.views"}
