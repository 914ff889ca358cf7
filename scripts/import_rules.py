"""An import-linter contract for names inside an installed package (pyproject.toml,
`[tool.importlinter]`): the services never take `flask.request`.

import-linter sees `from flask import request` as an import of the package `flask`, since it does
not look inside installed packages, so its own contracts can forbid all of Flask or none of it.
The services may use `current_app` and `render_template`; what they may not touch is the request
and what hangs off it. This contract reads the import statements themselves: `from flask import
request` and `import flask` followed by `flask.request` both break it.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import cast

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules
from importlinter.domain.imports import ModuleExpression


class ForbiddenNamesContract(Contract):
    """Source modules (and their descendants) import none of `forbidden_names`, each written
    `package.name` (`flask.request`)."""

    type_name = "forbidden_names"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    forbidden_names = fields.SetField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        forbidden = cast(set[str], self.forbidden_names)  # a field, parsed on the instance
        packages = {name.rpartition(".")[0] for name in forbidden}
        expressions = cast(set[ModuleExpression], self.source_modules)
        sources = module_expressions_to_modules(graph, expressions)
        modules = set()
        for source in sources:
            modules |= {source.name} | graph.find_descendants(source.name)
        found = []
        for module in sorted(modules):
            if not packages & graph.find_modules_directly_imported_by(module):
                continue
            for line, name in _imported_names(_source_file(module), packages):
                if name in forbidden:
                    found.append((module, line, name))
                    output.verbose_print(verbose, f"{module}:{line} imports {name}")
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module, line, name in check.metadata["found"]:
            output.print_error(f"{module} (l. {line}) uses {name}", bold=False)
            output.new_line()


def _source_file(module: str) -> Path:
    """The file of a module of our own, found without importing it."""
    root, *rest = module.split(".")
    spec = importlib.util.find_spec(root)
    assert spec is not None and spec.origin is not None, root
    path = Path(spec.origin).parent.joinpath(*rest)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imported_names(path: Path, packages: set[str]) -> list[tuple[int, str]]:
    """Each `package.name` the file takes from one of `packages`, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in packages and not node.level:
            names += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in packages
        ):
            names.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return names
