"""The package's import structure, read from its source with `ast` (nothing is imported).

- No import cycle: not among the imports a module runs when it is imported (its top-level
  imports), nor through the imports inside its functions.
- Imports run one way, down the layers below; a module may import its own layer and lower.
- An import inside a function is only for an optional or heavy dependency, said in a
  comment on its line.
"""

import ast
import pathlib

import keras_signgan

PACKAGE_DIR = pathlib.Path(keras_signgan.__file__).resolve().parent

# Higher imports lower, never the reverse.
LAYERS = {
    "keras_signgan.__main__": 12,  # python -m keras_signgan
    "keras_signgan.cli": 11,
    "keras_signgan.augment": 10,
    "keras_signgan.training": 9,
    "keras_signgan.metrics": 8,
    "keras_signgan.generators": 7,
    "keras_signgan.export": 6,
    "keras_signgan.runs": 5,
    "keras_signgan.checkpoints": 5,  # the checkpoint files of a run directory (for runs)
    "keras_signgan.config": 4,  # fills in the families' defaults from keras_signgan.models
    "keras_signgan.legacy": 4,  # reads old config.json (for config), checkpoints and results
    "keras_signgan.models": 3,
    "keras_signgan.layers": 2,
    "keras_signgan.data": 1,
    "keras_signgan.classifier": 1,
    "keras_signgan.plots": 1,
    "keras_signgan.io_utils": 0,
    "keras_signgan.errors": 0,
    "keras_signgan.interrupts": 0,
    "keras_signgan": 0,
}


def module_files():
    """`{module name: path}` of every module of the package."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = ("keras_signgan",) + path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def _is_package(module):
    return MODULES[module].name == "__init__.py"


def _resolve(module, node):
    """The package modules an import node names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in MODULES]
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if _is_package(module) else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    found = []
    for alias in node.names:
        if f"{base}.{alias.name}" in MODULES:
            found.append(f"{base}.{alias.name}")
        elif base in MODULES:
            found.append(base)
    return found


def _imports(tree):
    """`(node, inside_function)` for every import statement of a module."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, in_function))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def import_graph(include_functions=False):
    """`{module: {imported module: line}}` of the top-level imports (and, with
    `include_functions`, of those inside functions), and the function-local imports as
    `(module, line, text)`."""
    graph, local = {}, []
    for module, path in MODULES.items():
        source = path.read_text()
        graph[module] = {}
        for node, in_function in _imports(ast.parse(source)):
            if in_function:
                local.append((module, node.lineno, source.splitlines()[node.lineno - 1]))
                if not include_functions:
                    continue
            for target in _resolve(module, node):
                if target != module:
                    graph[module].setdefault(target, node.lineno)
    return graph, local


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None."""
    state = {}

    def visit(module, stack):
        state[module] = "open"
        stack.append(module)
        for target in graph.get(module, {}):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state:
                cycle = visit(target, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [])
            if cycle:
                return cycle
    return None


def layer_of(module):
    while module not in LAYERS:
        module = module.rsplit(".", 1)[0]
    return LAYERS[module]


def test_the_graph_sees_the_package():
    graph, _ = import_graph()
    assert "keras_signgan.runs" in graph["keras_signgan.training.fit"]
    assert "keras_signgan.models.gan" in graph["keras_signgan.models.biggan.biggan"]
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == ["a", "b", "c", "a"]


def test_no_import_cycle():
    graph, _ = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_import_cycle_through_imports_inside_functions():
    graph, _ = import_graph(include_functions=True)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle (through an import inside a function): " + " -> ".join(cycle)


def test_imports_run_down_the_layers():
    graph, _ = import_graph(include_functions=True)
    upward = [
        f"{module}:{line} imports {target}"
        for module, targets in graph.items()
        for target, line in targets.items()
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_function_local_imports_say_why():
    _, local = import_graph()
    unexplained = [f"{module}:{line}: {text.strip()}" for module, line, text in local if "#" not in text]
    assert not unexplained, (
        "imports inside functions are for optional or heavy dependencies, named in a comment:\n"
        + "\n".join(unexplained)
    )


def test_presets_and_the_fit_help_load_no_tensorflow_and_the_help_prints_every_preset():
    """`signgan fit --help` prints the presets table from the families' presets (so the help
    cannot drift from what a run gets) and stays instant: nothing it reads imports TensorFlow."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import keras_signgan.models.basic.presets, keras_signgan.models.wcgan.presets, keras_signgan.models.biggan.presets\n"
        "from keras_signgan.cli.main import cli\n"
        "import keras_signgan.cli\n"
        "result = CliRunner().invoke(cli, ['fit', '--help'])\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
        "print(result.output)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded, help_text = done.stdout.split("\n", 1)
    assert loaded == "False False"
    from keras_signgan.models import FAMILIES

    for name, family in FAMILIES.items():
        for size, preset in family.PRESETS.items():
            assert f"{name} {size}: {preset.summary()}" in help_text
            assert preset.description in help_text


MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 350


def test_functions_and_modules_stay_short():
    """No function (its `def` line to its last, docstring included) over 80 lines, and no
    module over 350: a longer one is doing several things, each of which wants a name."""
    long_functions, long_modules = [], []
    for module, path in MODULES.items():
        source = path.read_text()
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            long_modules.append(f"{module}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{module}.{node.name} (line {node.lineno}): {length} lines")
    assert not long_modules, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long_modules)
    assert not long_functions, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long_functions)
